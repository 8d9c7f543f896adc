import { randomUUID } from 'node:crypto';
import type {
  AgentDiagnosticsView,
  AgentView,
  CreatedEnrolmentToken,
  CreateEnrolmentTokenBody,
  EnrolmentTokenView,
} from '../protocol/agents.ts';
import type { CalendarView, ChangeCalendarBody, CreateCalendarBody } from '../protocol/calendars.ts';
import type { ChannelView, CreateChannelBody, DeliveryView } from '../protocol/channels.ts';
import type { CommandView, CreateCommandBody } from '../protocol/commands.ts';
import type { JobstateView, LogLineView } from '../protocol/jobstates.ts';
import type { LedgerEntryView } from '../protocol/ledger.ts';
import type { OrgView } from '../protocol/orgs.ts';
import type { RunView } from '../protocol/runs.ts';
import type { PreviewBody, PreviewResponse } from '../protocol/schedules.ts';
import type { SummaryLine } from '../protocol/summary.ts';
import type { TaskDefBody } from '../protocol/task-def.ts';
import type { HistoryView, TaskBatchView, TaskView } from '../protocol/tasks.ts';
import type { CreatedToken, CreateTokenBody, CreateUserBody, UserView } from '../protocol/users.ts';
import { type ClientOptions, HttpClient, type Query } from './http.ts';

export interface Paged<T> {
  items: T[];
  next: string | null;
}

/**
 * The typed client of the REST API (`/api/v1`), one method per call the CLI and the
 * tests make. Shapes come from src/protocol, the same schemas the server validates with.
 */
export class TaskwardenClient {
  readonly http: HttpClient;
  /** The org a global admin acts on (`?org=`, id or name); an org's user may name only his own. */
  readonly org: string | undefined;

  constructor(opts: ClientOptions & { org?: string | undefined }) {
    this.http = new HttpClient(opts);
    this.org = opts.org;
  }

  /** The `?org=` of the calls that take one, merged with theirs. */
  private scoped = (query: Query = {}): Query => ({ org: this.org, ...query });

  health = () => this.http.request<{ status: string }>('GET', '/health');

  createOrg = (name: string) => this.http.request<OrgView>('POST', '/api/v1/orgs', { body: { name } });
  me = () => this.http.request<UserView>('GET', '/api/v1/me');
  getOrg = (idOrName: string) => this.http.request<OrgView>('GET', `/api/v1/orgs/${enc(idOrName)}`);
  createUser = (org: string, body: CreateUserBody) =>
    this.http.request<UserView>('POST', `/api/v1/orgs/${enc(org)}/users`, { body });
  listUsers = (org: string) => this.http.all<UserView>(`/api/v1/orgs/${enc(org)}/users`);
  createToken = (userId: string, body: CreateTokenBody) =>
    this.http.request<CreatedToken>('POST', `/api/v1/users/${enc(userId)}/tokens`, { body });

  addCommand = (body: CreateCommandBody, query: Query = {}) =>
    this.http.request<CommandView>('POST', '/api/v1/commands', { body, query: this.scoped(query) });
  listCommands = () => this.http.all<CommandView>('/api/v1/commands', this.scoped());

  createChannel = (body: CreateChannelBody, query: Query = {}) =>
    this.http.request<ChannelView>('POST', '/api/v1/channels', { body, query: this.scoped(query) });
  listChannels = () => this.http.all<ChannelView>('/api/v1/channels', this.scoped());
  deleteChannel = (id: string) => this.http.request<null>('DELETE', `/api/v1/channels/${enc(id)}`);
  testChannel = (id: string) => this.http.request<DeliveryView>('POST', `/api/v1/channels/${enc(id)}/test`);
  /** A channel's delivery log, or the org's (every channel) when `channelId` is undefined; newest first. */
  deliveries = (channelId: string | undefined, query: Query = {}) =>
    this.http.request<Paged<DeliveryView>>(
      'GET',
      channelId === undefined ? '/api/v1/deliveries' : `/api/v1/channels/${enc(channelId)}/deliveries`,
      { query: this.scoped(query) },
    );

  createCalendar = (body: CreateCalendarBody) =>
    this.http.request<CalendarView>('POST', '/api/v1/calendars', { body, query: this.scoped() });
  listCalendars = () => this.http.all<CalendarView>('/api/v1/calendars', this.scoped());
  updateCalendar = (id: string, body: ChangeCalendarBody) =>
    this.http.request<CalendarView>('PATCH', `/api/v1/calendars/${enc(id)}`, { body });
  deleteCalendar = (id: string) => this.http.request<null>('DELETE', `/api/v1/calendars/${enc(id)}`);

  /** Finds a channel by id or by name: the org's own before a global one of that name. */
  async findChannel(idOrName: string): Promise<ChannelView | null> {
    const channels = await this.listChannels();
    const named = channels
      .filter((c) => c.name === idOrName)
      .sort((a, b) => (a.orgId === null ? 1 : b.orgId === null ? -1 : 0));
    return channels.find((c) => c.id === idOrName) ?? named[0] ?? null;
  }

  listTasks = (query: Query = {}) => this.http.all<TaskView>('/api/v1/tasks', this.scoped(query));
  getTask = (id: string) => this.http.request<TaskView>('GET', `/api/v1/tasks/${enc(id)}`);
  createTask = (def: TaskDefBody) =>
    this.http.request<TaskView>('POST', '/api/v1/tasks', { body: def, query: this.scoped() });
  /** All or none: `POST /api/v1/tasks:batch`, at most MAX_BATCH_TASKS at once. */
  createTasks = (defs: TaskDefBody[]) =>
    this.http.request<TaskBatchView>('POST', '/api/v1/tasks:batch', { body: { tasks: defs }, query: this.scoped() });
  updateTask = (id: string, def: TaskDefBody) =>
    this.http.request<TaskView>('PUT', `/api/v1/tasks/${enc(id)}`, { body: def });
  deleteTask = (id: string) => this.http.request<null>('DELETE', `/api/v1/tasks/${enc(id)}`);
  setTaskEnabled = (id: string, enabled: boolean) =>
    this.http.request<TaskView>('POST', `/api/v1/tasks/${enc(id)}/${enabled ? 'enable' : 'disable'}`);
  taskHistory = (id: string) => this.http.all<HistoryView>(`/api/v1/tasks/${enc(id)}/history`);

  /** Finds a task by id or by name (names are unique per org). */
  async findTask(idOrName: string): Promise<TaskView | null> {
    const tasks = await this.listTasks();
    return tasks.find((t) => t.id === idOrName) ?? tasks.find((t) => t.name === idOrName) ?? null;
  }

  /** Starts a run: one per call, even when a dropped connection makes the client ask twice. */
  runTask = (id: string, waitSeconds?: number, idempotencyKey: string = randomUUID()) =>
    this.http.request<RunView>('POST', `/api/v1/tasks/${enc(id)}/runs`, {
      query: { wait: waitSeconds },
      timeoutMs: ((waitSeconds ?? 0) + 30) * 1000,
      idempotencyKey,
    });
  listRuns = (query: Query = {}) =>
    this.http.request<Paged<RunView>>('GET', '/api/v1/runs', { query: this.scoped(query) });
  getRun = (id: string) => this.http.request<RunView>('GET', `/api/v1/runs/${enc(id)}`);
  cancelRun = (id: string) => this.http.request<RunView>('POST', `/api/v1/runs/${enc(id)}/cancel`);
  /** Resumes a run its rollout halted, or promotes (opens now) a rollout run's next wave. */
  rolloutAction = (id: string, action: 'resume' | 'promote') =>
    this.http.request<RunView>('POST', `/api/v1/runs/${enc(id)}/${action}`);
  runJobstates = (id: string) => this.http.all<JobstateView>(`/api/v1/runs/${enc(id)}/jobstates`);
  logs = (jobstateId: string, after?: string) =>
    this.http.request<Paged<LogLineView>>('GET', `/api/v1/jobstates/${enc(jobstateId)}/logs`, {
      query: { after, limit: 1000 },
    });

  /** The last outcome per task, job and target (`agent`: an agent id or "server"). */
  ledger = (query: Query = {}) =>
    this.http.request<Paged<LedgerEntryView>>('GET', '/api/v1/ledger', { query: this.scoped(query) });

  createEnrolmentToken = (body: CreateEnrolmentTokenBody) =>
    this.http.request<CreatedEnrolmentToken>('POST', '/api/v1/enrolment-tokens', { body, query: this.scoped() });
  listEnrolmentTokens = () => this.http.all<EnrolmentTokenView>('/api/v1/enrolment-tokens', this.scoped());
  revokeEnrolmentToken = (id: string) => this.http.request<null>('DELETE', `/api/v1/enrolment-tokens/${enc(id)}`);
  listAgents = (query: Query = {}) => this.http.all<AgentView>('/api/v1/agents', this.scoped(query));
  getAgent = (id: string) => this.http.request<AgentView>('GET', `/api/v1/agents/${enc(id)}`);
  /** What the agent is doing and why work is not running on it; with `task`, whether that task reaches it. */
  agentDiagnostics = (id: string, task?: string) =>
    this.http.request<AgentDiagnosticsView>('GET', `/api/v1/agents/${enc(id)}/diagnostics`, { query: { task } });
  /** Lets the agent's device enrol again (a reinstalled machine) for `expiresIn` (default 7d), once. */
  allowReenrol = (id: string, expiresIn?: string) =>
    this.http.request<AgentView>('POST', `/api/v1/agents/${enc(id)}/allow-reenrol`, { body: { expiresIn } });
  cancelReenrol = (id: string) => this.http.request<AgentView>('DELETE', `/api/v1/agents/${enc(id)}/allow-reenrol`);

  summary = () => this.http.request<Paged<SummaryLine>>('GET', '/api/v1/summary', { query: this.scoped() });
  previewSchedule = (body: PreviewBody) =>
    this.http.request<PreviewResponse>('POST', '/api/v1/schedules/preview', { body });
}

const enc = encodeURIComponent;
