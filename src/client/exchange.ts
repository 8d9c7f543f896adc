import { Buffer } from 'node:buffer';

export interface Exchange {
  method: string;
  headers: Record<string, string>;
  body: string | null;
  /** Ends the exchange wherever it is (connecting, waiting for the answer, reading it). */
  signal: AbortSignal;
}

export interface Reply {
  status: number;
  text: string;
}

/**
 * One HTTP request and its whole answer as text, over node:http or node:https. Not fetch:
 * Node loads undici at the first fetch, about 15 MB that a long-polling agent would then
 * keep for its whole life, and some 50 ms more for each CLI command.
 * Fails as fetch does: with the AbortError of `signal` (its reason as the cause) when it
 * ends the exchange, with the socket's error when the connection fails or drops.
 */
export async function exchange(url: URL, init: Exchange): Promise<Reply> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const headers =
    init.body === null ? init.headers : { ...init.headers, 'content-length': `${Buffer.byteLength(init.body)}` };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers, signal: init.signal }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      // Cut mid-answer: the request reports why (its AbortError when the signal did it).
      res.on('error', (err) => (init.signal.aborted ? undefined : reject(err)));
      res.on('close', () => {
        if (!res.complete && !init.signal.aborted) reject(new Error('the connection closed before the whole answer'));
      });
    });
    req.on('error', reject);
    req.end(init.body ?? undefined);
  });
}
