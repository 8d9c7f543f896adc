/**
 * The one catalog of error codes. Every error that can reach a user (HTTP body, CLI line)
 * is a TaskwardenError with a stable `code`; the HTTP status lives here, next to the code,
 * so routes never pick statuses by hand.
 */
export const ERROR_CATALOG = {
  // 400: the request itself is wrong; the message names the field.
  invalid_input: 400,
  /** A user tried to disable or enable his own account. */
  cannot_change_self: 400,
  /** A report over more runs than one answer holds: narrow the range. */
  report_range_too_large: 400,
  unauthorized: 401,
  // 403: the caller may not do this.
  forbidden: 403,
  /** A write to a global task by an org role that may only read it (its org opted in). */
  global_task_read_only: 403,
  /** A write with the session cookie that did not come from the server's own pages (CSRF). */
  cross_origin: 403,
  /** The calling agent is disabled by an administrator. */
  agent_disabled: 403,
  /** Only the global admin defines, changes or reads this global record (command, channel, calendar). */
  global_admin_only: 403,
  /** An enrolment token expired or used up, presented to enrol a new machine. */
  enrolment_token_spent: 403,
  /** A FusionInventory request from a device enrolled as a Taskwarden agent. */
  device_is_taskwarden_agent: 403,
  not_found: 404,
  // 409: the request is right but the state of things refuses it.
  /** Another task of the org has this name. */
  task_name_taken: 409,
  /** Another org has this name. */
  org_name_taken: 409,
  /** Another user has this name. */
  user_name_taken: 409,
  /** Another channel of the org (or a global one) has this name. */
  channel_name_taken: 409,
  /** Another calendar of the org (or a global one) has this name. */
  calendar_name_taken: 409,
  /** Another command of the org (or a global one) has this name. */
  command_name_taken: 409,
  /** The org has this package version already. */
  package_version_taken: 409,
  agent_already_enrolled: 409,
  /** The task was changed by someone else between reading and writing it: read it again. */
  task_changed: 409,
  /** Cancel of a run that already ended. */
  run_not_cancellable: 409,
  /** Relaunch of a run still going (relaunch once it ended). */
  run_not_ended: 409,
  /** Relaunch of a run none of whose targets failed. */
  run_nothing_to_relaunch: 409,
  /** An Idempotency-Key whose run was deleted since: use a new key. */
  idempotency_run_gone: 409,
  /** Reports on one jobstate kept racing with others: send them again. */
  jobstate_reports_racing: 409,
  /** A record with this key exists already (two writers raced for it): try again. */
  record_exists: 409,
  /** A restore onto a database that exists, without --force. */
  restore_target_exists: 409,
  stale_attempt: 409,
  /** Resume of a run its rollout did not halt. */
  rollout_not_halted: 409,
  /** Promote of a run its rollout halted (resume it instead). */
  rollout_halted: 409,
  /** Resume or promote of a run with no rollout wave left to open (or no rollout, or ended). */
  rollout_no_next_wave: 409,
  /** A calendar some tasks still list cannot be deleted; details.tasks names them. */
  calendar_in_use: 409,
  /** Events for a jobstate that ended (cancelled, timed out): the agent stops the job. */
  jobstate_ended: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  /** An Idempotency-Key used again, within its 24 h, for a different request. */
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal: 500,
  /** A server, or a database at open, could not be reached. */
  unavailable: 503,
  /** A package upload or download on a server that keeps no package files. */
  package_files_disabled: 503,
  /** A notification test on a server that sends none. */
  notifications_disabled: 503,
  /** The server took longer than its deadline for this request. */
  deadline_exceeded: 503,
  /** The jobstate changed while a report on it was written: send it again. */
  jobstate_changed: 503,
  /** The database is locked by another process (SQLite) or a lock wait gave up: try again after Retry-After. */
  store_busy: 503,
  /** The database cannot be reached (refused, lost, shutting down); the node reconnects by itself. */
  store_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class TaskwardenError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'TaskwardenError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CATALOG[this.code];
  }
}

/**
 * Bad input. `field` is the path of the offending value ("schedule.at", "jobs[1].delay")
 * so the message says where the problem comes from.
 */
export class ValidationError extends TaskwardenError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('invalid_input', field ? `${field}: ${message}` : message, { field });
    this.name = 'ValidationError';
    this.field = field;
  }
}

/** The store was busy or away: the call failed for want of a database and may succeed when made again later. */
export function isStoreOutage(error: unknown): boolean {
  return error instanceof TaskwardenError && (error.code === 'store_busy' || error.code === 'store_unavailable');
}

export function notFound(what: string, id: string): TaskwardenError {
  return new TaskwardenError('not_found', `${what} ${id} not found`, { what, id });
}

/** Joins a parent path and a child key the way messages show them: a.b, a[0]. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}
