export interface ClientOptions {
    /** Base URL of the server, e.g. http://127.0.0.1:8080 */
    server: string;
    token?: string | undefined;
    /** Per-request timeout; long polls pass their own. */
    timeoutMs?: number;
}
export type Query = Record<string, string | number | boolean | undefined | null>;
export interface RequestOptions {
    body?: unknown;
    query?: Query;
    timeoutMs?: number;
    signal?: AbortSignal;
    /**
     * Sent as `Idempotency-Key`: the server answers a repeat of the request with what the
     * first one did, so a request whose connection dropped before the answer is sent again
     * (up to RETRY_DELAYS_MS.length more times) instead of failing.
     */
    idempotencyKey?: string;
}
/**
 * The HTTP transport of the typed client: JSON in and out, the bearer token, and the
 * server's error envelope turned back into a TaskwardenError with the same stable code,
 * so a CLI or a test sees `not_found` whether it talks in-process or over the wire.
 */
export declare class HttpClient {
    readonly server: string;
    private readonly token;
    private readonly timeoutMs;
    constructor(opts: ClientOptions);
    request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
    private unreachable;
    /** Reads every page of a `{items, next}` list. */
    all<T>(path: string, query?: Query): Promise<T[]>;
}
