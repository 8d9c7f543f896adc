/**
 * The one way the UI talks to the server: JSON over fetch with the session cookie. Every
 * non-2xx answer becomes an ApiError carrying the server's stable code and message
 * ("jobs[0].delay: …"), which forms show next to the field it names.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The route does not exist on this server (a feature not installed yet). */
  get missingRoute(): boolean {
    return this.status === 404 && this.message.startsWith('no route ');
  }
}

/** Fired when the server says the session is gone, so the app can show the login page. */
export const SESSION_EXPIRED_EVENT = 'taskwarden:session-expired';

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  return send<T>(path, init);
}

/** Sends a file as the raw body (`application/octet-stream`), e.g. a package archive. */
export function upload<T>(path: string, file: Blob): Promise<T> {
  return send<T>(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/octet-stream' },
    body: file,
  });
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'the server cannot be reached');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text === '' ? null : safeJson(text);
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: { field?: string } } } | null)?.error;
    if (res.status === 401 && path !== '/api/v1/login') window.dispatchEvent(new Event(SESSION_EXPIRED_EVENT));
    throw new ApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ?? `${res.status} ${res.statusText}`,
      error?.details?.field ?? null,
    );
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = (path: string) => api<void>('DELETE', path);

/** `/x?a=1&b=2` from the defined, non-empty entries of `query`. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  if (!text) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

/** Every item of a paged list (`{items, next}`), following `next`, up to `max` items. */
export async function getAll<T>(path: string, max = 5000): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  do {
    const page: { items: T[]; next: string | null } = await get(withQuery(path, { limit: 1000, after }));
    items.push(...page.items);
    after = page.next;
  } while (after !== null && items.length < max);
  return items;
}
