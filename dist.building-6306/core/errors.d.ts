/**
 * The one catalog of error codes. Every error that can reach a user (HTTP body, CLI line)
 * is a TaskwardenError with a stable `code`; the HTTP status lives here, next to the code,
 * so routes never pick statuses by hand.
 */
export declare const ERROR_CATALOG: {
    readonly invalid_input: 400;
    readonly unauthorized: 401;
    readonly forbidden: 403;
    /** A write with the session cookie that did not come from the server's own pages (CSRF). */
    readonly cross_origin: 403;
    readonly not_found: 404;
    readonly conflict: 409;
    readonly agent_already_enrolled: 409;
    readonly stale_attempt: 409;
    readonly gone: 410;
    readonly payload_too_large: 413;
    readonly unsupported_media_type: 415;
    readonly range_not_satisfiable: 416;
    /** An Idempotency-Key used again, within its 24 h, for a different request. */
    readonly idempotency_key_reused: 422;
    readonly rate_limited: 429;
    readonly internal: 500;
    readonly unavailable: 503;
    /** The database is locked by another process (SQLite) or a lock wait gave up: try again after Retry-After. */
    readonly store_busy: 503;
    /** The database cannot be reached (refused, lost, shutting down); the node reconnects by itself. */
    readonly store_unavailable: 503;
};
export type ErrorCode = keyof typeof ERROR_CATALOG;
export declare class TaskwardenError extends Error {
    readonly code: ErrorCode;
    readonly details: unknown;
    constructor(code: ErrorCode, message: string, details?: unknown);
    get status(): number;
}
/**
 * Bad input. `field` is the path of the offending value ("schedule.at", "jobs[1].delay")
 * so the message says where the problem comes from.
 */
export declare class ValidationError extends TaskwardenError {
    readonly field: string;
    constructor(field: string, message: string);
}
/** The store was busy or away: the call failed for want of a database and may succeed when made again later. */
export declare function isStoreOutage(error: unknown): boolean;
export declare function notFound(what: string, id: string): TaskwardenError;
/** Joins a parent path and a child key the way messages show them: a.b, a[0]. */
export declare function fieldPath(parent: string, key: string | number): string;
