/**
 * The one catalog of error codes. Every error that can reach a user (HTTP body, CLI line)
 * is a TaskwardenError with a stable `code`; the HTTP status lives here, next to the code,
 * so routes never pick statuses by hand.
 */
export const ERROR_CATALOG = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  /** A write to a global task by an org role that may only read it (its org opted in). */
  global_task_read_only: 403,
  /** A write with the session cookie that did not come from the server's own pages (CSRF). */
  cross_origin: 403,
  not_found: 404,
  conflict: 409,
  agent_already_enrolled: 409,
  stale_attempt: 409,
  /** Resume of a run its rollout did not halt. */
  rollout_not_halted: 409,
  /** Promote of a run its rollout halted (resume it instead). */
  rollout_halted: 409,
  /** Resume or promote of a run with no rollout wave left to open (or no rollout, or ended). */
  rollout_no_next_wave: 409,
  /** A calendar some tasks still list cannot be deleted; details.tasks names them. */
  calendar_in_use: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  /** An Idempotency-Key used again, within its 24 h, for a different request. */
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
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
