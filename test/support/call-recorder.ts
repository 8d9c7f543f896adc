/**
 * What a patched driver method sends while one call runs (the query-plan tests): the patch
 * calls `record` on every use, and only the uses made during `during` are kept.
 */
export class CallRecorder<T> {
  private recording = false;
  private readonly seen: T[] = [];

  record(item: T): void {
    if (this.recording) this.seen.push(item);
  }

  /** Runs `call` and returns what was recorded while it ran. */
  async during(call: () => Promise<unknown>): Promise<T[]> {
    this.seen.length = 0;
    this.recording = true;
    try {
      await call();
    } finally {
      this.recording = false;
    }
    return [...this.seen];
  }
}
