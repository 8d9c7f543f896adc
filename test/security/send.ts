// How the security suite sends a request of the route table, with whatever credential.
import type { Reply, ServerHarness } from '../support/server.ts';
import type { RouteRow } from './route-table.ts';

export interface Req {
  method: string;
  url: string;
  body?: unknown;
  payload?: string;
  headers?: Record<string, string>;
  /** The credential the row's own caller sends (agent and FusionInventory rows); user rows take the caller's. */
  token?: string | null;
}

/**
 * Sends a row's request with `token` as its credential (null = none), or with the row's own
 * credential when `token` is undefined. A stream is read to its status only, then dropped.
 */
export async function send(h: ServerHarness, row: RouteRow, req: Req, token?: string | null): Promise<Reply> {
  const { authorization, ...headers } = req.headers ?? {};
  const own = token === undefined;
  const bearer = own ? (req.token ?? null) : token;
  if (own && authorization !== undefined) headers['authorization'] = authorization;
  if (!row.stream) return h.call(req.method, req.url, { token: bearer, body: req.body, payload: req.payload, headers });
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
  const abort = new AbortController();
  const res = await h.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers,
    payloadAsStream: true,
    signal: abort.signal,
  });
  let body = '';
  if (res.statusCode === 200) abort.abort();
  else for await (const chunk of res.stream()) body += chunk;
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {}
  return { status: res.statusCode, json, body, headers: res.headers };
}
