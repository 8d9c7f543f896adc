import type { JobstateReason, JobstateStatus } from '../model.ts';
import type { Page, Paged } from './page.ts';

export interface LedgerEntry {
  taskId: string;
  job: string;
  /** Agent id, or "server". */
  target: string;
  runId: string;
  jobstateId: string;
  /** The attempt that ended so; null for entries written before attempts were kept. */
  attempt: number | null;
  status: JobstateStatus;
  reason: JobstateReason | null;
  result: unknown;
  at: number;
}

/** Which ledger entries a listing shows; only entries of tasks that still exist are listed. */
export interface LedgerFilter {
  /** undefined = every org (the global admin's view). */
  orgId?: string | undefined;
  taskId?: string | undefined;
  job?: string | undefined;
  target?: string | undefined;
  status?: JobstateStatus | undefined;
}

/** A ledger entry as listed, with what a reader needs to name it. */
export interface LedgerListing extends LedgerEntry {
  orgId: string;
  taskName: string;
  /** The target agent's name; null for the server, or an agent since deleted. */
  agentName: string | null;
}

export interface LedgerRepo {
  /** Keeps, per (taskId, job, target), the entry with the latest `at`; an older one is ignored. */
  record(entry: LedgerEntry): Promise<void>;
  /** Records each entry as `record` would, in one write. */
  recordMany(entries: readonly LedgerEntry[]): Promise<void>;
  get(taskId: string, job: string, target: string): Promise<LedgerEntry | null>;
  listForTask(taskId: string): Promise<LedgerEntry[]>;
  /** Ordered by task, job and target; `after` is the `next` of the previous page. */
  list(filter: LedgerFilter, page: Page): Promise<Paged<LedgerListing>>;
}
