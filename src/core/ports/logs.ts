import type { LogLine } from '../model.ts';
import type { Page, Paged } from './page.ts';

export interface LogPage extends Paged<LogLine & { attempt: number }> {
  /**
   * Where this page ends: passed as `after`, it reads only the lines appended since, which
   * is how a live view follows a log. Unlike `next` it is set on the last page too; it is
   * null only when nothing has been read yet.
   */
  cursor: string | null;
}

export interface LogRepo {
  append(jobstateId: string, attempt: number, lines: LogLine[]): Promise<void>;
  /** Several appends in one write, in order. */
  appendMany(parts: readonly { jobstateId: string; attempt: number; lines: LogLine[] }[]): Promise<void>;
  /** Oldest line first. `after` is the `next` (or `cursor`) of a previous page. */
  list(jobstateId: string, page: Page): Promise<LogPage>;
  count(jobstateId: string): Promise<number>;
  /** The line counts of these jobstates (0 for one with none), in one read: a batch of events calls' caps. */
  countMany(jobstateIds: readonly string[]): Promise<Map<string, number>>;
  /** Deletes up to `limit` log lines of the org's jobstates older than `before`; returns how many. */
  deleteBefore(orgId: string, before: number, limit: number): Promise<number>;
}
