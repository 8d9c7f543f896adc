// The security suite's one table of routes: for every route the app declares, its auth
// level (pinned: lowering one fails the suite) and one request, naming an org's records,
// that the lowest role of that level may make. roles.test.ts aims each role of each org at
// it, tokens.test.ts each kind of credential. A new route without a row fails both.
// Add a row here, in the group of its resource, when a route is added.
import type { AuthLevel } from '../../src/server/auth.ts';
import { DOCS_PREFIX } from '../../src/server/route-auth.ts';
import type { Req } from './send.ts';
import { CLOSED_PORT_URL, type OrgWorld, taskDef, unique } from './world.ts';

export interface RouteRow {
  /** "METHOD /url" as declared; the HEAD route of a GET rides on the GET's row. */
  route: string;
  level: AuthLevel;
  /** A request naming `w`'s records (or `w` itself, with `?org=`), which `w`'s lowest allowed caller may make. */
  request(w: OrgWorld): Req | Promise<Req>;
  /** The status of that request when allowed; undefined = not checked here (see the row's comment). */
  ok?: number;
  /** The route names no org or record (me, logout, modules…): nothing for another org to be refused. */
  unscoped?: true;
  /** A list: an id of `w` it must show, to its own org only (`?org=` dropped, the caller's default). */
  shows?(w: OrgWorld): string;
  /** Server-sent events: the reply never ends by itself. */
  stream?: true;
}

type Call = Omit<Req, 'method'>;
type Build = (w: OrgWorld) => Call | Promise<Call>;

/** A row whose request is `build`'s, sent with the route's method. */
function row(
  route: string,
  level: AuthLevel,
  ok: number | undefined,
  build: Build,
  more?: Partial<RouteRow>,
): RouteRow {
  const method = route.split(' ')[0] as string;
  return { route, level, ok, request: async (w) => ({ method, ...(await build(w)) }), ...more };
}
/** A list at `url`, which shows `shows(w)` to `w`. */
const list = (route: string, level: AuthLevel, shows: (w: OrgWorld) => string, url: (w: OrgWorld) => string) =>
  row(route, level, 200, (w) => ({ url: url(w) }), { shows });
const UNSCOPED = { unscoped: true } as const;
const u = (url: string, body?: unknown): Call => ({ url, body });
const org = (w: OrgWorld) => `org=${w.org.id}`;
const asAgent = (agent: { credential: string }, call: Call): Call => ({ ...call, token: agent.credential });
const asFusionAgent = (w: OrgWorld, call: Call): Call => {
  const authorization = `Basic ${Buffer.from(`${w.enrolment.id}:${w.enrolment.token}`).toString('base64')}`;
  return { ...call, token: null, headers: { ...call.headers, authorization } };
};
/** A PROLOG of a machine the org does not know yet (it enrols, with a use of the token). */
const prologOfNewMachine = (w: OrgWorld, url: string) =>
  asFusionAgent(w, {
    url,
    payload: `<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST><DEVICEID>${unique('fi')}-2026-01-01-00-00-00</DEVICEID><QUERY>PROLOG</QUERY><TOKEN>1</TOKEN></REQUEST>`,
    headers: { 'content-type': 'application/xml' },
  });
const command = { argv: ['true'], runsOn: 'agent', timeout: '1m' };

export const ROUTES: RouteRow[] = [
  // Public.
  row('GET /health', 'public', 200, () => u('/health')),
  row('GET /*', 'public', 200, () => u('/')),
  row(`GET ${DOCS_PREFIX}*`, 'public', 200, () => u(`${DOCS_PREFIX}/json`)),
  row('POST /api/v1/login', 'public', 200, (w) =>
    u('/api/v1/login', { name: w.users.viewer.name, password: w.password }),
  ),
  row('POST /agent/v1/enrol', 'public', 201, async (w) =>
    u('/agent/v1/enrol', { token: (await w.fresh.enrolmentToken()).token, deviceId: unique('pc') }),
  ),

  // Sessions, orgs, users, API tokens (a viewer's own: roles.test.ts tries other users').
  row('POST /api/v1/logout', 'viewer', 204, () => u('/api/v1/logout'), UNSCOPED),
  row('GET /api/v1/me', 'viewer', 200, () => u('/api/v1/me'), UNSCOPED),
  row('POST /api/v1/orgs', 'admin', 201, () => u('/api/v1/orgs', { name: unique('org') })),
  row('GET /api/v1/orgs', 'admin', 200, () => u('/api/v1/orgs')),
  row('GET /api/v1/orgs/:org', 'viewer', 200, (w) => u(`/api/v1/orgs/${w.org.id}`)),
  row('PATCH /api/v1/orgs/:org', 'admin', 200, (w) => u(`/api/v1/orgs/${w.org.id}`, { packageQuota: null })),
  row('POST /api/v1/orgs/:org/users', 'org-admin', 201, (w) =>
    u(`/api/v1/orgs/${w.org.id}/users`, { name: unique('user'), role: 'viewer' }),
  ),
  list(
    'GET /api/v1/orgs/:org/users',
    'org-admin',
    (w) => w.users.viewer.id,
    (w) => `/api/v1/orgs/${w.org.id}/users`,
  ),
  row('POST /api/v1/users/:id/disable', 'org-admin', 200, async (w) =>
    u(`/api/v1/users/${await w.fresh.user()}/disable`),
  ),
  row('POST /api/v1/users/:id/enable', 'org-admin', 200, async (w) =>
    u(`/api/v1/users/${await w.fresh.user()}/enable`),
  ),
  row('POST /api/v1/users/:id/tokens', 'viewer', 201, (w) =>
    u(`/api/v1/users/${w.users.viewer.id}/tokens`, { name: unique('token') }),
  ),
  list(
    'GET /api/v1/users/:id/tokens',
    'viewer',
    (w) => w.users.viewer.tokenId,
    (w) => `/api/v1/users/${w.users.viewer.id}/tokens`,
  ),
  row('DELETE /api/v1/tokens/:id', 'viewer', 204, async (w) => u(`/api/v1/tokens/${(await w.fresh.apiToken()).id}`)),

  // Agents, their inventories, devices, enrolment tokens.
  list(
    'GET /api/v1/agents',
    'viewer',
    (w) => w.agent.id,
    (w) => `/api/v1/agents?${org(w)}`,
  ),
  row('GET /api/v1/agents/:id', 'viewer', 200, (w) => u(`/api/v1/agents/${w.agent.id}`)),
  row('PATCH /api/v1/agents/:id', 'org-admin', 200, async (w) =>
    u(`/api/v1/agents/${(await w.fresh.agent()).id}`, { name: 'renamed', tags: ['moved'], enabled: false }),
  ),
  row('DELETE /api/v1/agents/:id', 'org-admin', 204, async (w) => u(`/api/v1/agents/${(await w.fresh.agent()).id}`)),
  row('POST /api/v1/agents/:id/allow-reenrol', 'org-admin', 200, (w) =>
    u(`/api/v1/agents/${w.agent.id}/allow-reenrol`, { expiresIn: '1h' }),
  ),
  row('DELETE /api/v1/agents/:id/allow-reenrol', 'org-admin', 200, (w) =>
    u(`/api/v1/agents/${w.agent.id}/allow-reenrol`),
  ),
  row('GET /api/v1/agents/:id/diagnostics', 'viewer', 200, (w) => u(`/api/v1/agents/${w.agent.id}/diagnostics`)),
  row('GET /api/v1/agents/:id/inventory', 'viewer', 200, (w) => u(`/api/v1/agents/${w.agent.id}/inventory`)),
  list(
    'GET /api/v1/agents/:id/inventory/history',
    'viewer',
    (w) => w.inventoryChangeId,
    (w) => `/api/v1/agents/${w.agent.id}/inventory/history`,
  ),
  list(
    'GET /api/v1/devices',
    'viewer',
    (w) => w.deviceId,
    (w) => `/api/v1/devices?${org(w)}`,
  ),
  row('GET /api/v1/devices/:id', 'viewer', 200, (w) => u(`/api/v1/devices/${w.deviceId}`)),
  row('POST /api/v1/enrolment-tokens', 'org-admin', 201, (w) =>
    u(`/api/v1/enrolment-tokens?${org(w)}`, { uses: 1, expiresIn: '1h' }),
  ),
  list(
    'GET /api/v1/enrolment-tokens',
    'org-admin',
    (w) => w.enrolment.id,
    (w) => `/api/v1/enrolment-tokens?${org(w)}`,
  ),
  row('DELETE /api/v1/enrolment-tokens/:id', 'org-admin', 204, async (w) =>
    u(`/api/v1/enrolment-tokens/${(await w.fresh.enrolmentToken()).id}`),
  ),

  // Packages (the upload is content the org has already: 200).
  row('POST /api/v1/packages/files', 'operator', 200, (w) => ({
    url: `/api/v1/packages/files?${org(w)}`,
    payload: w.archive.content,
    headers: { 'content-type': 'application/octet-stream' },
  })),
  row('POST /api/v1/packages', 'operator', 201, (w) =>
    u(`/api/v1/packages?${org(w)}`, {
      name: 'app',
      version: unique('v'),
      archive: w.archive.sha256,
      steps: [{ type: 'command', command: 'agent-echo', args: { msg: 'hi' } }],
    }),
  ),
  list(
    'GET /api/v1/packages',
    'viewer',
    (w) => w.packageId,
    (w) => `/api/v1/packages?${org(w)}`,
  ),
  row('GET /api/v1/packages/:id', 'viewer', 200, (w) => u(`/api/v1/packages/${w.packageId}`)),
  row('DELETE /api/v1/packages/:id', 'org-admin', 204, async (w) => u(`/api/v1/packages/${await w.fresh.package()}`)),

  // The command catalog and the modules.
  row('POST /api/v1/commands', 'org-admin', 201, (w) =>
    u(`/api/v1/commands?${org(w)}`, { ...command, name: unique('cmd') }),
  ),
  list(
    'GET /api/v1/commands',
    'viewer',
    (w) => w.commandId,
    (w) => `/api/v1/commands?${org(w)}`,
  ),
  row('GET /api/v1/commands/:id', 'viewer', 200, (w) => u(`/api/v1/commands/${w.commandId}`)),
  row('DELETE /api/v1/commands/:id', 'org-admin', 204, async (w) => u(`/api/v1/commands/${await w.fresh.command()}`)),
  row('GET /api/v1/modules', 'viewer', 200, () => u('/api/v1/modules'), UNSCOPED),

  // Shared calendars (the org's; global ones are the global admin's, see test/server/calendars.test.ts).
  row('POST /api/v1/calendars', 'org-admin', 201, (w) => u(`/api/v1/calendars?${org(w)}`, { name: unique('cal') })),
  list(
    'GET /api/v1/calendars',
    'viewer',
    (w) => w.calendarId,
    (w) => `/api/v1/calendars?${org(w)}`,
  ),
  row('GET /api/v1/calendars/:id', 'viewer', 200, (w) => u(`/api/v1/calendars/${w.calendarId}`)),
  row('PATCH /api/v1/calendars/:id', 'org-admin', 200, async (w) =>
    u(`/api/v1/calendars/${await w.fresh.calendar()}`, { yearly: ['01-01'] }),
  ),
  row('DELETE /api/v1/calendars/:id', 'org-admin', 204, async (w) =>
    u(`/api/v1/calendars/${await w.fresh.calendar()}`),
  ),

  // Notification channels, their delivery log, the org's default rules.
  row('POST /api/v1/channels', 'org-admin', 201, (w) =>
    u(`/api/v1/channels?${org(w)}`, { name: unique('hook'), kind: 'webhook', url: CLOSED_PORT_URL }),
  ),
  list(
    'GET /api/v1/channels',
    'viewer',
    (w) => w.channelId,
    (w) => `/api/v1/channels?${org(w)}`,
  ),
  row('GET /api/v1/channels/:id', 'viewer', 200, (w) => u(`/api/v1/channels/${w.channelId}`)),
  row('PATCH /api/v1/channels/:id', 'org-admin', 200, async (w) =>
    u(`/api/v1/channels/${await w.fresh.channel()}`, { secret: 'another secret' }),
  ),
  row('DELETE /api/v1/channels/:id', 'org-admin', 204, async (w) => u(`/api/v1/channels/${await w.fresh.channel()}`)),
  row('POST /api/v1/channels/:id/test', 'org-admin', 200, (w) => u(`/api/v1/channels/${w.channelId}/test`)),
  list(
    'GET /api/v1/channels/:id/deliveries',
    'viewer',
    (w) => w.deliveryId,
    (w) => `/api/v1/channels/${w.channelId}/deliveries`,
  ),
  list(
    'GET /api/v1/deliveries',
    'viewer',
    (w) => w.deliveryId,
    (w) => `/api/v1/deliveries?${org(w)}`,
  ),
  row('PUT /api/v1/orgs/:org/notify', 'org-admin', 200, (w) => u(`/api/v1/orgs/${w.org.id}/notify`, { notify: [] })),

  // Tasks, runs, jobstates, schedules, monitoring.
  row('POST /api/v1/tasks', 'operator', 201, (w) => u(`/api/v1/tasks?${org(w)}`, taskDef(unique('task'), w.agent.id))),
  // `::` declares a literal colon: the URL is /api/v1/tasks:batch.
  row('POST /api/v1/tasks::batch', 'operator', 201, (w) =>
    u(`/api/v1/tasks:batch?${org(w)}`, {
      tasks: [taskDef(unique('task'), w.agent.id), taskDef(unique('task'), w.agent.id)],
    }),
  ),
  list(
    'GET /api/v1/tasks',
    'viewer',
    (w) => w.taskId,
    (w) => `/api/v1/tasks?${org(w)}`,
  ),
  row('GET /api/v1/tasks/:id', 'viewer', 200, (w) => u(`/api/v1/tasks/${w.taskId}`)),
  row('PUT /api/v1/tasks/:id', 'operator', 200, async (w) => {
    const task = await w.fresh.task();
    return u(`/api/v1/tasks/${task.id}`, { ...taskDef(task.name, w.agent.id), enabled: false });
  }),
  row('DELETE /api/v1/tasks/:id', 'operator', 204, async (w) => u(`/api/v1/tasks/${(await w.fresh.task()).id}`)),
  row('POST /api/v1/tasks/:id/enable', 'operator', 200, async (w) =>
    u(`/api/v1/tasks/${(await w.fresh.task()).id}/enable`),
  ),
  row('POST /api/v1/tasks/:id/disable', 'operator', 200, async (w) =>
    u(`/api/v1/tasks/${(await w.fresh.task()).id}/disable`),
  ),
  row('GET /api/v1/tasks/:id/history', 'viewer', 200, (w) => u(`/api/v1/tasks/${w.taskId}/history`)),
  row('POST /api/v1/tasks/:id/runs', 'operator', 201, async (w) =>
    u(`/api/v1/tasks/${(await w.fresh.task()).id}/runs`),
  ),
  list(
    'GET /api/v1/tasks/:id/runs',
    'viewer',
    (w) => w.runId,
    (w) => `/api/v1/tasks/${w.taskId}/runs`,
  ),
  list(
    'GET /api/v1/runs',
    'viewer',
    (w) => w.runId,
    (w) => `/api/v1/runs?${org(w)}`,
  ),
  row('GET /api/v1/runs/:id', 'viewer', 200, (w) => u(`/api/v1/runs/${w.runId}`)),
  row('POST /api/v1/runs/:id/cancel', 'operator', 200, async (w) => u(`/api/v1/runs/${await w.fresh.run()}/cancel`)),
  list(
    'GET /api/v1/runs/:id/jobstates',
    'viewer',
    (w) => w.jobstateId,
    (w) => `/api/v1/runs/${w.runId}/jobstates`,
  ),
  // The world's first run ended in error: its task has a ledger entry.
  list(
    'GET /api/v1/ledger',
    'viewer',
    (w) => w.taskId,
    (w) => `/api/v1/ledger?${org(w)}`,
  ),
  row('POST /api/v1/runs/:id/relaunch', 'operator', 201, (w) => u(`/api/v1/runs/${w.runId}/relaunch`)),
  // A run without a rollout: the allowed caller gets as far as the rollout's own 409.
  row('POST /api/v1/runs/:id/resume', 'operator', 409, (w) => u(`/api/v1/runs/${w.runId}/resume`)),
  row('POST /api/v1/runs/:id/promote', 'operator', 409, (w) => u(`/api/v1/runs/${w.runId}/promote`)),
  row('GET /api/v1/jobstates/:id', 'viewer', 200, (w) => u(`/api/v1/jobstates/${w.jobstateId}`)),
  row('GET /api/v1/jobstates/:id/logs', 'viewer', 200, (w) => u(`/api/v1/jobstates/${w.jobstateId}/logs`)),
  row(
    'POST /api/v1/schedules/preview',
    'viewer',
    200,
    () => u('/api/v1/schedules/preview', { schedule: { kind: 'interval', every: '1h' } }),
    UNSCOPED,
  ),
  list(
    'GET /api/v1/summary',
    'viewer',
    (w) => w.taskId,
    (w) => `/api/v1/summary?${org(w)}`,
  ),
  row('GET /api/v1/summary/:id', 'viewer', 200, (w) => u(`/api/v1/summary/${w.taskId}`)),
  row('GET /api/v1/reports/tasks/:id', 'viewer', 200, (w) => u(`/api/v1/reports/tasks/${w.taskId}`)),
  row('GET /api/v1/events', 'viewer', 200, (w) => u(`/api/v1/events?${org(w)}`), { stream: true }),
  row('GET /metrics', 'admin', 200, () => u('/metrics')),
  row('GET /api/v1/nodes', 'admin', 200, () => u('/api/v1/nodes')),

  // The agent protocol: the org's agents, each with its own credential.
  row(
    'POST /agent/v1/contact',
    'agent',
    200,
    (w) =>
      // It still runs its deploy job: a contact that left it out would end it (agent_lost).
      asAgent(
        w.agent,
        u('/agent/v1/contact', {
          version: '1.0.0',
          modules: ['command', 'deploy'],
          running: [w.deployJobstateId],
          capacity: 0,
        }),
      ),
    UNSCOPED,
  ),
  row('POST /agent/v1/jobstates/:id/events', 'agent', 200, async (w) => {
    const js = await w.fresh.runningJobstate();
    const events = [{ seq: 1, ts: 0, type: 'started' }];
    return asAgent(w.worker, u(`/agent/v1/jobstates/${js.id}/events`, { attempt: js.attempt, events }));
  }),
  row('GET /agent/v1/files/:sha256', 'agent', 200, (w) => asAgent(w.agent, u(`/agent/v1/files/${w.archive.sha256}`))),

  // FusionInventory agents: basic auth with the org's enrolment token (test/fusioninventory has the rest).
  row('POST /plugins/fusioninventory/', 'fusioninventory', 200, (w) =>
    prologOfNewMachine(w, '/plugins/fusioninventory/'),
  ),
  row('POST /plugins/fusioninventory', 'fusioninventory', 200, (w) =>
    prologOfNewMachine(w, '/plugins/fusioninventory'),
  ),
  // Its Deploy task's calls: what the org's own agent gets depends on its jobs (not checked here).
  row('GET /plugins/fusioninventory/', 'fusioninventory', undefined, (w) =>
    asFusionAgent(w, u('/plugins/fusioninventory/?action=getJobs&machineid=fi-1')),
  ),
  row('GET /plugins/fusioninventory', 'fusioninventory', undefined, (w) =>
    asFusionAgent(w, u('/plugins/fusioninventory?action=getJobs&machineid=fi-1')),
  ),
  row('GET /plugins/fusioninventory/files/:sha256/:c/:cc/*', 'fusioninventory', undefined, (w) =>
    asFusionAgent(w, u(`/plugins/fusioninventory/files/${w.archive.sha256}/a/ab/${'ab'.repeat(64)}`)),
  ),
];

/** The row of a declared route: its own, or for a HEAD route its GET's; docs routes share one. */
export function rowOf(route: { method: string; url: string }): RouteRow | undefined {
  const method = route.method === 'HEAD' ? 'GET' : route.method;
  if (route.url.startsWith(DOCS_PREFIX) && method === 'GET')
    return ROUTES.find((r) => r.route === `GET ${DOCS_PREFIX}*`);
  return ROUTES.find((r) => r.route === `${method} ${route.url}`);
}

export const USER_LEVELS = ['viewer', 'operator', 'org-admin', 'admin'] as const;
export type UserLevel = (typeof USER_LEVELS)[number];
export const isUserLevel = (level: AuthLevel): level is UserLevel => (USER_LEVELS as readonly string[]).includes(level);
export const rank = (level: UserLevel) => USER_LEVELS.indexOf(level);
