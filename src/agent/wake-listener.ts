import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../core/clock.ts';
import { verifyWake, WakeReplayCache } from '../protocol/wake-signature.ts';
import type { AgentLog } from './log.ts';

export interface WakeListenerOptions {
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  agentId: string;
  secret: string;
  clock: Clock;
  log: AgentLog;
  onWake(): void;
}

export interface WakeListener {
  /** `http://host:port` as bound (the real port when 0 was asked). */
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

/** A wake has no body worth reading; anything longer than this is not a wake. */
const MAX_BODY_BYTES = 4096;

/**
 * Push mode's listener (FusionInventory's agent port): `POST /wake` signed by the server
 * with this agent's secret (protocol/agent.ts) makes the agent contact the server now.
 * It only ever triggers a contact — the server's answer to that, over the agent's own
 * authenticated call, is what carries work — so a wake cannot inject anything.
 */
export async function startWakeListener(opts: WakeListenerOptions): Promise<WakeListener> {
  const replay = new WakeReplayCache();
  const server = createServer((req, res) => handle(req, res));
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  function handle(req: IncomingMessage, res: ServerResponse) {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BODY_BYTES) req.destroy();
    });
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/wake') return answer(res, 404, 'not found');
    if (req.method !== 'POST') return answer(res, 405, 'POST only');
    const verdict = verifyWake({
      secret: opts.secret,
      agentId: opts.agentId,
      headers: req.headers,
      nowMs: opts.clock.now(),
      replay,
    });
    if (!verdict.ok) {
      opts.log.warn(`wake refused from ${req.socket.remoteAddress}: ${verdict.reason}`);
      return answer(res, 401, 'refused');
    }
    opts.log.info('woken by the server');
    answer(res, 204);
    opts.onWake();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: opts.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, status: number, text?: string): void {
  res.writeHead(status, text ? { 'content-type': 'text/plain' } : {});
  res.end(text);
}
