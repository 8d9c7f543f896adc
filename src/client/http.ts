import { ERROR_CATALOG, type ErrorCode, TaskwardenError } from '../core/errors.ts';
import { exchange, type Reply } from './exchange.ts';

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

/** Waits before the retries of an idempotent request whose connection dropped. */
const RETRY_DELAYS_MS = [250, 1_000, 3_000];

/**
 * The HTTP transport of the typed client: JSON in and out, the bearer token, and the
 * server's error envelope turned back into a TaskwardenError with the same stable code,
 * so a CLI or a test sees `not_found` whether it talks in-process or over the wire.
 */
export class HttpClient {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(opts: ClientOptions) {
    this.server = opts.server.replace(/\/+$/, '');
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey !== undefined) headers['idempotency-key'] = opts.idempotencyKey;
    const body = opts.body === undefined ? null : JSON.stringify(opts.body);
    const retries = opts.idempotencyKey === undefined ? [] : RETRY_DELAYS_MS;
    let response: Reply | null = null;
    for (let attempt = 0; response === null; attempt++) {
      try {
        const signal = withTimeout(opts.timeoutMs ?? this.timeoutMs, opts.signal);
        response = await exchange(url, { method, headers, body, signal });
      } catch (err) {
        const delay = retries[attempt];
        if (delay === undefined || !connectionDropped(err)) throw this.unreachable(err);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    const { status, text } = response;
    const data = text ? safeJson(text) : null;
    if (status < 200 || status > 299) throw errorFrom(status, data, text);
    return data as T;
  }

  private unreachable(err: unknown): TaskwardenError {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    return new TaskwardenError('unavailable', `cannot reach ${this.server}: ${cause}`);
  }

  /** Reads every page of a `{items, next}` list. */
  async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    let after: string | null | undefined;
    do {
      const page: { items: T[]; next: string | null } = await this.request('GET', path, {
        query: { ...query, after, limit: 1000 },
      });
      items.push(...page.items);
      after = page.next;
    } while (after);
    return items;
  }
}

/** The connection failed or closed before an answer; not our timeout, nor the caller giving up. */
function connectionDropped(err: unknown): boolean {
  return !(err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'));
}

/** The request's own timeout, plus the caller's signal when it has one (a shutting-down agent). */
function withTimeout(timeoutMs: number, signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorFrom(status: number, data: unknown, text: string): TaskwardenError {
  const body = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
  const code = body?.code && body.code in ERROR_CATALOG ? (body.code as ErrorCode) : codeForStatus(status);
  return new TaskwardenError(code, body?.message ?? `HTTP ${status}: ${text.slice(0, 200)}`, body?.details);
}

function codeForStatus(status: number): ErrorCode {
  const match = Object.entries(ERROR_CATALOG).find(([, s]) => s === status);
  return (match?.[0] as ErrorCode | undefined) ?? (status >= 500 ? 'internal' : 'invalid_input');
}
