/**
 * Reads of single rows asked during one turn of the event loop, made together in one
 * statement at its end (setImmediate): the requests a busy server parses in one turn (the
 * events calls and contacts of a fleet) each read one row by key, and on PostgreSQL each
 * read is a round trip. One turn's wait costs an idle server nothing it would notice.
 *
 * A key asked twice in a turn is read once; each asker gets its own (shallow) copy.
 * A failed read fails every asker of its statement, as a read of their own would have.
 */
export class TurnReads<V extends object> {
  private asked = new Map<string, Asker<V>[]>();

  /**
   * `readMany`: the rows of these keys that exist, keyed as asked (at most `maxKeys` keys
   * per call; a turn with more is read in several calls).
   */
  constructor(
    private readonly readMany: (keys: readonly string[]) => Promise<Map<string, V>>,
    private readonly maxKeys = 500,
  ) {}

  /** The row of `key`, or null when there is none, read with the turn's other keys. */
  get(key: string): Promise<V | null> {
    return new Promise((resolve, reject) => {
      const askers = this.asked.get(key);
      if (askers) {
        askers.push({ resolve, reject });
        return;
      }
      if (this.asked.size === 0) setImmediate(() => void this.readTurn());
      this.asked.set(key, [{ resolve, reject }]);
    });
  }

  private async readTurn(): Promise<void> {
    const asked = [...this.asked];
    this.asked = new Map();
    for (let from = 0; from < asked.length; from += this.maxKeys) {
      const part = asked.slice(from, from + this.maxKeys);
      try {
        const found = await this.readMany(part.map(([key]) => key));
        for (const [key, askers] of part) {
          const row = found.get(key) ?? null;
          for (const [i, asker] of askers.entries()) asker.resolve(row && i > 0 ? copyOf(row) : row);
        }
      } catch (error) {
        for (const [, askers] of part) for (const asker of askers) asker.reject(error);
      }
    }
  }
}

/** A shallow copy: of an array, an array. */
function copyOf<V extends object>(row: V): V {
  return (Array.isArray(row) ? [...row] : { ...row }) as V;
}

interface Asker<V> {
  resolve(row: V | null): void;
  reject(error: unknown): void;
}
