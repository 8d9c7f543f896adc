import type { LogLine, LogStream } from '../core/model.ts';
import type { EngineContext } from './context.ts';

const FLUSH_LINES = 100;

/**
 * Collects a running chunk's log lines and writes them in batches, so a chatty job costs
 * a write per hundred lines, not per line. Past the per-jobstate cap it keeps one marker
 * line and drops the rest, so a runaway job cannot fill the database.
 */
export class LogSink {
  private buffer: LogLine[] = [];
  private written = 0;
  private truncated = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: EngineContext,
    private readonly jobstateId: string,
    private readonly attempt: number,
    private readonly alreadyStored: number,
  ) {}

  readonly add = (line: string, stream: LogStream = 'info'): void => {
    if (this.truncated) return;
    const cap = this.ctx.options.maxLogLinesPerJobstate;
    const ts = this.ctx.clock.now();
    if (this.alreadyStored + this.written + this.buffer.length >= cap) {
      this.truncated = true;
      this.buffer.push({ ts, stream: 'info', line: `[log truncated after ${cap} lines]` });
    } else {
      this.buffer.push({ ts, stream, line: line.length > 8192 ? `${line.slice(0, 8192)}…` : line });
    }
    if (this.buffer.length >= FLUSH_LINES) this.flush();
  };

  /**
   * Writes what is buffered, in the background. A batch the store refuses (the database is
   * away) goes back to the buffer, to be written with the chunk's outcome.
   */
  private flush(): void {
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length > 0) {
      this.written += lines.length;
      this.pending = this.pending.then(() =>
        this.ctx.store.logs.append(this.jobstateId, this.attempt, lines).catch(() => {
          this.written -= lines.length;
          this.buffer = [...lines, ...this.buffer];
        }),
      );
    }
  }

  /** Waits for the background writes, then hands over every line not written yet, for the caller to write. */
  async drain(): Promise<LogLine[]> {
    await this.pending;
    const lines = this.buffer;
    this.buffer = [];
    this.written += lines.length;
    return lines;
  }
}
