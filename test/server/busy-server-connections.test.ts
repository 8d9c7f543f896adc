// A server whose event loop is busy for longer than the header and body timeouts (a
// saturated server: thousands of agents, a big run being prepared) must still answer the
// requests that arrived meanwhile: they sat in the socket buffers, their clients were not
// slow. Before, Node's header timeout counted from the accept, and the first check after
// the busy spell cut every connection accepted but not read yet: a 408 the client never
// saw, and a reset for the request left unread (the fleet bench's ECONNRESET). The busy
// spell is a synchronous loop in the test's own process, right after the requests are
// written to real sockets on 127.0.0.1; slow clients are still cut (test/security/http.test.ts).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

const HEADERS_TIMEOUT_MS = 1_000;
/** Longer than the header and body timeouts, shorter than Node's backstop (headers + upload timeout). */
const BUSY_MS = 2_500;
const CONNECTIONS = 40;
const LIMIT = { timeout: 30_000 };

/** A raw connection that reads its answers one by one: the status of each, or how the connection ended. */
class RawConnection {
  private received = '';
  private ended: string | null = null;
  private wake: () => void = () => {};

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      this.wake();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.ended ??= err.code ?? err.message;
      this.wake();
    });
    socket.on('close', () => {
      this.ended ??= 'closed';
      this.wake();
    });
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(new RawConnection(socket))).once('error', reject);
    });
  }

  /** The next answer's status line, or `ended: <why>` when the connection ended before a whole answer. */
  async answer(): Promise<string> {
    for (;;) {
      const whole = this.takeAnswer();
      if (whole) return whole;
      if (this.ended) return `ended: ${this.ended}`;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private takeAnswer(): string | null {
    const headEnd = this.received.indexOf('\r\n\r\n');
    if (headEnd < 0) return null;
    const head = this.received.slice(0, headEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.received.length < headEnd + 4 + length) return null;
    this.received = this.received.slice(headEnd + 4 + length);
    return head.split('\r\n')[0] as string;
  }
}

function contactRequest(agent: TestAgent): string {
  const body = JSON.stringify({ version: '1.0.0', modules: ['command'], running: [], wait: 0 });
  return [
    'POST /agent/v1/contact HTTP/1.1',
    'Host: 127.0.0.1',
    `Authorization: Bearer ${agent.credential}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/**
 * Sends each connection its request, then keeps this process (the server's) from reading
 * any socket for `ms`, as a saturated server does. From setImmediate: the next thing the
 * event loop runs after the busy spell is its timers (Node's timeout checks among them),
 * before it polls the sockets, as after a busy spell of a saturated server's poll phase.
 */
function sendThenBusy(connections: RawConnection[], request: string, ms: number): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      for (const connection of connections) connection.socket.write(request);
      const until = performance.now() + ms;
      while (performance.now() < until);
      resolve();
    }),
  );
}

/** How many connections got each outcome. */
function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

describe('a server too busy to read its sockets for longer than the header timeout', () => {
  let s: AgentServer;
  let port: number;
  let agent: TestAgent;
  let accepted = 0;
  before(async () => {
    s = await startAgentServer({
      limits: {
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        bodyTimeoutMs: 1_000,
        uploadTimeoutMs: 3_000,
        maxConnectionsPerAddress: 0,
      },
    });
    port = (s.app.server.address() as AddressInfo).port;
    s.app.server.on('connection', () => accepted++);
    agent = await s.enrol();
  });
  after(() => s.cleanup());

  test(
    `answers ${CONNECTIONS} new connections whose requests arrived while it was busy: none reset`,
    LIMIT,
    async () => {
      const before = accepted;
      const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => RawConnection.open(port)));
      await s.until(async () => accepted - before === CONNECTIONS, 'the server accepted every connection');
      await sendThenBusy(connections, contactRequest(agent), BUSY_MS);
      const answers = await Promise.all(connections.map((connection) => connection.answer()));
      for (const connection of connections) connection.socket.destroy();
      assert.deepEqual(tally(answers), { 'HTTP/1.1 200 OK': CONNECTIONS });
    },
  );

  test('answers the next request of idle keep-alive connections sent while it was busy', LIMIT, async () => {
    const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => RawConnection.open(port)));
    for (const connection of connections) connection.socket.write(contactRequest(agent));
    const first = await Promise.all(connections.map((connection) => connection.answer()));
    assert.deepEqual(tally(first), { 'HTTP/1.1 200 OK': CONNECTIONS });
    // Idle past the header timeout: an idle keep-alive connection is not a slow request.
    await new Promise((resolve) => setTimeout(resolve, HEADERS_TIMEOUT_MS * 2));
    await sendThenBusy(connections, contactRequest(agent), BUSY_MS);
    const second = await Promise.all(connections.map((connection) => connection.answer()));
    for (const connection of connections) connection.socket.destroy();
    assert.deepEqual(tally(second), { 'HTTP/1.1 200 OK': CONNECTIONS });
  });

  test("still cuts a keep-alive connection whose next request's headers come byte by byte", LIMIT, async () => {
    const connection = await RawConnection.open(port);
    connection.socket.write(contactRequest(agent));
    assert.equal(await connection.answer(), 'HTTP/1.1 200 OK');
    const request = contactRequest(agent);
    let at = 0;
    const drip = setInterval(() => {
      if (at < request.length && !connection.socket.destroyed) connection.socket.write(request[at++] as string);
    }, 50);
    try {
      const started = performance.now();
      // 408, then the close; or the close alone. Within a few header timeouts, not at the backstop.
      const outcome = await connection.answer();
      assert.match(outcome, /^(HTTP\/1\.1 408|ended: )/);
      assert.ok(performance.now() - started < HEADERS_TIMEOUT_MS * 4, `cut after ${performance.now() - started} ms`);
    } finally {
      clearInterval(drip);
      connection.socket.destroy();
    }
  });
});
