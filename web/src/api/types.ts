// The REST API's shapes, taken from the server's protocol schemas so the UI and the
// server cannot drift apart. Type-only imports: nothing of the server ends up in the bundle.
export type { CalendarView } from '../../../src/protocol/calendars.ts';
export type { ChannelView, DeliveryView } from '../../../src/protocol/channels.ts';
export type { CommandView } from '../../../src/protocol/commands.ts';
export type { JobstateView, LogLineView } from '../../../src/protocol/jobstates.ts';
export type { LedgerEntryView } from '../../../src/protocol/ledger.ts';
export type { ModuleView } from '../../../src/protocol/modules.ts';
export type { OrgView } from '../../../src/protocol/orgs.ts';
export type { ReportBucketView, TaskReportView } from '../../../src/protocol/reports.ts';
export type { RunView } from '../../../src/protocol/runs.ts';
export type { PreviewResponse } from '../../../src/protocol/schedules.ts';
export type { SummaryLine } from '../../../src/protocol/summary.ts';
export type { HistoryView, TaskView } from '../../../src/protocol/tasks.ts';
export type { CreatedToken, TokenView, UserView } from '../../../src/protocol/users.ts';

export interface Paged<T> {
  items: T[];
  next: string | null;
}

export interface LogPage {
  items: import('../../../src/protocol/jobstates.ts').LogLineView[];
  next: string | null;
  cursor: string | null;
}

type TaskDefBody = import('../../../src/protocol/task-def.ts').TaskDefBody;
/** `T` with every field present but those of `Optional` (whose absence means something). */
type Filled<T, Optional extends keyof T = never> = Required<Omit<T, Optional>> & Pick<T, Optional>;
/** A job as the editor holds it: the body's job (protocol/task-def.ts) with the server's defaults filled in. */
export type JobDef = Filled<TaskDefBody['jobs'][number]>;
/**
 * A task definition as the editor holds it: the body POST/PUT /api/v1/tasks take (the
 * protocol's one schema of it) with every field the server would default filled in, as
 * GET returns it; notify and rollout stay optional (absent: the org's rules, all at once).
 */
export type TaskDef = Filled<Omit<TaskDefBody, 'jobs' | 'rollout'>, 'notify'> & {
  jobs: JobDef[];
  rollout?: NonNullable<TaskDefBody['rollout']>;
};
export type Timeslot = TaskDef['timeslots'][number];
export type Blackout = TaskDef['blackouts'][number];
/** A notification rule: tell `channels` when a run ends as `on` says, always or when its outcome changed. */
export type NotifyRule = NonNullable<TaskDef['notify']>[number];
export type {
  AgentDiagnosticsView,
  AgentView,
  CreatedEnrolmentToken,
  DiagnosisView,
  EnrolmentTokenView,
} from '../../../src/protocol/agents.ts';
export type {
  DeviceView,
  InventoryHistoryView,
  InventoryView,
  PackageFileView,
  PackageView,
} from '../../../src/protocol/fleet.ts';
