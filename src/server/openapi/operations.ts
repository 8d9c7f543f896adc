import type { ErrorCode } from '../../core/errors.ts';

/**
 * What the OpenAPI document says about each operation: a summary, and the error codes
 * particular to it (the situations its handler or the engine refuse). The codes every
 * operation of its kind can return (bad input, unknown id, not signed in, role too low, …)
 * are added by the rules of ./errors.ts. Keyed "METHOD /url" as the route is registered.
 */
export interface Operation {
  summary: string;
  errors?: readonly ErrorCode[];
}

const IDEMPOTENT_RUN: readonly ErrorCode[] = ['idempotency_key_reused', 'idempotency_run_gone'];

export const OPERATIONS: Record<string, Operation> = {
  'GET /health': { summary: 'Liveness and readiness of this node' },
  'GET /metrics': { summary: 'Prometheus metrics of the scheduler and the store' },
  'GET /api/v1/nodes': { summary: 'The server nodes sharing the database, with their health' },

  'POST /api/v1/login': { summary: 'Sign in with name and password (session cookie)', errors: ['rate_limited'] },
  'POST /api/v1/logout': { summary: 'End the session' },
  'POST /api/v1/orgs': { summary: 'Create an org', errors: ['org_name_taken'] },
  'GET /api/v1/orgs': { summary: 'List orgs' },
  'GET /api/v1/orgs/:org': { summary: 'Get an org by id or name' },
  'PATCH /api/v1/orgs/:org': { summary: 'Rename an org or change its settings', errors: ['org_name_taken'] },
  'POST /api/v1/orgs/:org/users': { summary: 'Create a user of the org', errors: ['user_name_taken'] },
  'GET /api/v1/orgs/:org/users': { summary: "List the org's users" },
  'PUT /api/v1/orgs/:org/notify': { summary: "Set the org's default notification rules" },
  'PUT /api/v1/orgs/:org/global-tasks': {
    summary: "Show the installation's global tasks to the org, read-only (or not)",
  },
  'GET /api/v1/me': { summary: 'The signed-in user' },
  'POST /api/v1/users/:id/disable': { summary: 'Disable a user', errors: ['cannot_change_self'] },
  'POST /api/v1/users/:id/enable': { summary: 'Enable a user', errors: ['cannot_change_self'] },
  'POST /api/v1/users/:id/tokens': { summary: 'Create an API token (its secret is shown once)' },
  'GET /api/v1/users/:id/tokens': { summary: "List a user's API tokens" },
  'DELETE /api/v1/tokens/:id': { summary: 'Revoke an API token' },

  'POST /agent/v1/enrol': {
    summary: 'Enrol an agent with an enrolment token',
    errors: ['agent_already_enrolled', 'rate_limited'],
  },
  'POST /agent/v1/contact': { summary: 'Agent contact: report state, receive work', errors: ['agent_disabled'] },
  'POST /agent/v1/jobstates/:id/events': {
    summary: 'Agent reports events (logs, progress, end) of a job',
    errors: ['agent_disabled', 'stale_attempt', 'jobstate_reports_racing', 'jobstate_ended', 'jobstate_changed'],
  },
  'GET /agent/v1/files/:sha256': {
    summary: 'Agent downloads a package file (byte ranges)',
    errors: ['agent_disabled', 'range_not_satisfiable', 'package_files_disabled'],
  },

  'GET /api/v1/agents': { summary: 'List agents' },
  'GET /api/v1/agents/:id': { summary: 'Get an agent' },
  'PATCH /api/v1/agents/:id': { summary: "Change an agent's name, tags or enabled state" },
  'DELETE /api/v1/agents/:id': { summary: 'Delete an agent' },
  'POST /api/v1/agents/:id/allow-reenrol': { summary: "Let the agent's device enrol again, once" },
  'DELETE /api/v1/agents/:id/allow-reenrol': { summary: 'Withdraw an allowed re-enrolment' },
  'GET /api/v1/agents/:id/diagnostics': { summary: 'Why work is (not) running on an agent' },
  'GET /api/v1/agents/:id/inventory': { summary: "An agent's latest inventory" },
  'GET /api/v1/agents/:id/inventory/history': { summary: "Changes of an agent's inventory" },
  'GET /api/v1/devices': { summary: 'List devices (inventoried machines)' },
  'GET /api/v1/devices/:id': { summary: 'Get a device' },
  'POST /api/v1/enrolment-tokens': { summary: 'Create an enrolment token (shown once)' },
  'GET /api/v1/enrolment-tokens': { summary: 'List enrolment tokens' },
  'DELETE /api/v1/enrolment-tokens/:id': { summary: 'Revoke an enrolment token' },

  'POST /api/v1/packages/files': {
    summary: 'Upload a package archive (raw body)',
    errors: ['payload_too_large', 'unsupported_media_type', 'package_files_disabled'],
  },
  'POST /api/v1/packages': { summary: 'Define a package version', errors: ['package_version_taken'] },
  'GET /api/v1/packages': { summary: 'List packages' },
  'GET /api/v1/packages/:id': { summary: 'Get a package' },
  'DELETE /api/v1/packages/:id': { summary: 'Delete a package' },

  'POST /api/v1/commands': {
    summary: 'Define (or replace) a catalog command',
    errors: ['command_name_taken', 'global_admin_only'],
  },
  'GET /api/v1/commands': { summary: 'List catalog commands' },
  'GET /api/v1/commands/:id': { summary: 'Get a catalog command' },
  'DELETE /api/v1/commands/:id': { summary: 'Delete a catalog command', errors: ['global_admin_only'] },

  'POST /api/v1/channels': {
    summary: 'Create a notification channel',
    errors: ['channel_name_taken', 'global_admin_only'],
  },
  'GET /api/v1/channels': { summary: 'List notification channels' },
  'GET /api/v1/channels/:id': { summary: 'Get a notification channel' },
  'PATCH /api/v1/channels/:id': {
    summary: 'Change a notification channel',
    errors: ['channel_name_taken', 'global_admin_only'],
  },
  'DELETE /api/v1/channels/:id': { summary: 'Delete a notification channel', errors: ['global_admin_only'] },
  'POST /api/v1/channels/:id/test': {
    summary: 'Send a test notification',
    errors: ['global_admin_only', 'notifications_disabled'],
  },
  'GET /api/v1/channels/:id/deliveries': { summary: "A channel's delivery log", errors: ['global_admin_only'] },
  'GET /api/v1/deliveries': { summary: "The org's delivery log (every channel)" },

  'POST /api/v1/calendars': {
    summary: 'Create a shared calendar',
    errors: ['calendar_name_taken', 'global_admin_only'],
  },
  'GET /api/v1/calendars': { summary: 'List shared calendars' },
  'GET /api/v1/calendars/:id': { summary: 'Get a shared calendar' },
  'PATCH /api/v1/calendars/:id': {
    summary: 'Change a shared calendar',
    errors: ['calendar_name_taken', 'global_admin_only'],
  },
  'DELETE /api/v1/calendars/:id': {
    summary: 'Delete a shared calendar no task lists',
    errors: ['calendar_in_use', 'global_admin_only'],
  },

  'GET /api/v1/modules': { summary: 'The modules jobs can use, with their params schema' },
  'POST /api/v1/tasks': { summary: 'Create a task', errors: ['task_name_taken', 'global_admin_only'] },
  'POST /api/v1/tasks::batch': {
    summary: 'Create up to 1,000 tasks, all or none',
    errors: ['task_name_taken', 'global_admin_only'],
  },
  'GET /api/v1/tasks': { summary: 'List tasks' },
  'GET /api/v1/tasks/:id': { summary: 'Get a task' },
  'PUT /api/v1/tasks/:id': {
    summary: "Replace a task's definition",
    errors: ['task_name_taken', 'task_changed', 'global_admin_only', 'global_task_read_only'],
  },
  'DELETE /api/v1/tasks/:id': { summary: 'Delete a task (its history stays)', errors: ['global_task_read_only'] },
  'POST /api/v1/tasks/:id/enable': { summary: 'Enable a task', errors: ['task_changed', 'global_task_read_only'] },
  'POST /api/v1/tasks/:id/disable': { summary: 'Disable a task', errors: ['task_changed', 'global_task_read_only'] },
  'GET /api/v1/tasks/:id/history': { summary: "A task's change history" },
  'POST /api/v1/tasks/:id/runs': {
    summary: 'Run a task now (Idempotency-Key: once)',
    errors: [...IDEMPOTENT_RUN, 'global_task_read_only'],
  },
  'GET /api/v1/tasks/:id/runs': { summary: "List a task's runs" },
  'GET /api/v1/runs': { summary: 'List runs' },
  'GET /api/v1/runs/:id': { summary: 'Get a run' },
  'POST /api/v1/runs/:id/cancel': { summary: 'Cancel a run', errors: ['run_not_cancellable'] },
  'GET /api/v1/runs/:id/jobstates': { summary: "A run's jobstates (one per job and target)" },
  'POST /api/v1/runs/:id/relaunch': {
    summary: 'Run again the targets that failed in a run',
    errors: ['run_not_ended', 'run_nothing_to_relaunch', ...IDEMPOTENT_RUN],
  },
  'POST /api/v1/runs/:id/resume': {
    summary: 'Resume a run its rollout halted',
    errors: ['rollout_not_halted', 'rollout_no_next_wave'],
  },
  'POST /api/v1/runs/:id/promote': {
    summary: "Open a rollout run's next wave now",
    errors: ['rollout_halted', 'rollout_no_next_wave'],
  },
  'GET /api/v1/jobstates/:id': { summary: 'Get a jobstate' },
  'GET /api/v1/jobstates/:id/logs': { summary: "A jobstate's log lines" },
  'GET /api/v1/ledger': { summary: 'Last outcome per task, job and target' },
  'POST /api/v1/schedules/preview': { summary: 'Preview the firings of a schedule' },
  'GET /api/v1/summary': { summary: 'The monitoring line of every task' },
  'GET /api/v1/summary/:id': { summary: "A task's monitoring line" },
  'GET /api/v1/reports/tasks/:id': { summary: "A task's outcomes over time", errors: ['report_range_too_large'] },
  'GET /api/v1/events': { summary: 'Server-sent events of runs and jobstates', errors: ['rate_limited'] },
};
