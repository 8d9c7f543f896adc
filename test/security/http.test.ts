// Attacks on the HTTP layer, over real sockets where sockets matter: slow headers and bodies
// (slowloris), one address holding every connection, unbounded event streams, login
// guessing, deeply nested JSON, and a UI without security headers. Every limit is made
// small here (about a second) so the attacks end quickly; every wait has a time limit.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { HttpLimits } from '../../src/server/http-limits.ts';
import { type AgentServer, startAgentServer } from '../support/agent-protocol.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

/** Test-sized limits: a second where the defaults say tens of seconds. */
const FAST: HttpLimits = {
  headersTimeoutMs: 1_000,
  bodyTimeoutMs: 1_000,
  uploadTimeoutMs: 3_000,
  maxConnectionsPerAddress: 64,
  maxEventStreamsPerUser: 8,
  loginAttemptsPerAddress: 100,
  loginAddressWindowMs: 60_000,
  loginFailuresPerName: 100,
  loginNameWindowMs: 60_000,
  jsonMaxDepth: 64,
};

function portOf(h: ServerHarness): number {
  const address = h.app.server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

async function listening(limits: Partial<HttpLimits>, logger?: pino.Logger): Promise<AgentServer> {
  return startAgentServer({ limits: { ...FAST, ...limits }, ...(logger ? { logger } : {}) });
}

/** A raw TCP connection to the server, from `localAddress` (any 127.x.y.z reaches it on Linux). */
function open(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(socket)).once('error', reject);
  });
}

/** Resolves with what the server sent once it closed the connection, or null if it still had not after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<string | null> {
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString();
  });
  socket.on('error', () => {});
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(received);
    const timer = setTimeout(() => resolve(null), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

/** Sends one byte of `text` to each socket every `everyMs`, until stopped. */
function drip(sockets: Socket[], text: string, everyMs: number): () => void {
  let at = 0;
  const timer = setInterval(() => {
    const byte = text[at % text.length] as string;
    at++;
    for (const socket of sockets) if (!socket.destroyed) socket.write(byte);
  }, everyMs);
  return () => clearInterval(timer);
}

/** No attack here may hang the suite: each test fails after this instead. */
const LIMIT = { timeout: 20_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /api/v1/events as `token`; resolves with the response (status and still-open stream). */
function eventStream(port: number, token: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/api/v1/events',
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      agent: false,
    });
    req.on('response', resolve).on('error', reject).end();
    setTimeout(() => reject(new Error('no answer from /api/v1/events within 5 s')), 5_000).unref();
  });
}

function bodyOf(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
    });
    res.on('end', () => resolve(text));
  });
}

describe('slow clients (slowloris)', () => {
  let h: AgentServer;
  let port: number;
  before(async () => {
    // Node's own request timeout (headers + upload timeout, here 2 s) is shorter than the long poll below.
    h = await listening({ headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000, uploadTimeoutMs: 1_000 });
    port = portOf(h);
  });
  after(() => h.cleanup(), LIMIT);

  test('20 unauthenticated bodies sent byte by byte are all cut within the body timeout', LIMIT, async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => open(port)));
    // Half to the login, half to a malformed URL (answered 400 by Fastify before any hook runs).
    sockets.forEach((socket, i) => {
      const path = i % 2 === 0 ? '/api/v1/login' : '/%zz';
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      );
    });
    const stop = drip(sockets, ' ', 100);
    const started = Date.now();
    try {
      const outcomes = await Promise.all(sockets.map((socket) => closedWithin(socket, 4_000)));
      assert.equal(outcomes.filter((o) => o === null).length, 0, 'a slow body was still open after 4 s');
      assert.ok(Date.now() - started < 4_000);
    } finally {
      stop();
      for (const socket of sockets) socket.destroy();
    }
  });

  test(
    'headers sent byte by byte, and a connection that sends nothing, are cut within the header timeout',
    LIMIT,
    async () => {
      const slow = await open(port);
      const silent = await open(port);
      slow.write('GET /health HTTP/1.1\r\n');
      const stop = drip([slow], 'X-Padding: aaaa\r\n', 100);
      try {
        const [fromSlow, fromSilent] = await Promise.all([closedWithin(slow, 4_000), closedWithin(silent, 4_000)]);
        assert.notEqual(fromSlow, null, 'slow headers were still open after 4 s');
        assert.notEqual(fromSilent, null, 'a silent connection was still open after 4 s');
      } finally {
        stop();
        slow.destroy();
        silent.destroy();
      }
    },
  );

  test('an event stream and an agent long poll outlive the header, body and request timeouts', LIMIT, async () => {
    const org = await h.createUser(h.orgId, 'watcher', 'viewer');
    const stream = await eventStream(port, org.token);
    assert.equal(stream.statusCode, 200);
    let streamClosed = false;
    stream.on('close', () => {
      streamClosed = true;
    });
    const agent = await h.enrol();
    const started = Date.now();
    const poll = await agent.contact({ wait: 3 });
    assert.equal(poll.status, 200, JSON.stringify(poll.json));
    assert.ok(Date.now() - started >= 2_500, 'the long poll returned early');
    assert.equal(streamClosed, false, 'the event stream was cut');
    stream.destroy();
  });
});

describe('slow package uploads', () => {
  let h: AgentServer;
  let port: number;
  before(async () => {
    h = await listening({ headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000, uploadTimeoutMs: 3_000 });
    port = portOf(h);
  });
  after(() => h.cleanup(), LIMIT);

  test("an operator's slow upload gets the upload timeout; an anonymous one only the body timeout", LIMIT, async () => {
    const upload = (token: string | null) =>
      `POST /api/v1/packages/files HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n${
        token ? `Authorization: Bearer ${token}\r\n` : ''
      }Content-Length: 100000\r\n\r\n`;
    const anonymous = await open(port);
    const operator = await open(port);
    anonymous.write(upload(null));
    operator.write(upload(h.orgAdmin));
    const stop = drip([anonymous, operator], 'x', 100);
    try {
      const operatorClosed = closedWithin(operator, 6_000);
      assert.notEqual(await closedWithin(anonymous, 2_500), null, 'the anonymous upload was not cut');
      await sleep(800); // well past the body timeout, short of the upload timeout
      assert.equal(operator.destroyed, false, "the operator's upload was cut at the body timeout");
      assert.notEqual(await operatorClosed, null, "the operator's upload outlived the upload timeout");
    } finally {
      stop();
      anonymous.destroy();
      operator.destroy();
    }
  });
});

describe('connections per client address', () => {
  let h: AgentServer;
  let port: number;
  before(async () => {
    // Long header timeout: the attacker's idle connections must be refused by the cap, not timed out.
    h = await listening({ maxConnectionsPerAddress: 10, headersTimeoutMs: 30_000 });
    port = portOf(h);
  });
  after(() => h.cleanup(), LIMIT);

  test(
    'one address gets 10 connections; the rest are answered 429 and closed at once; others still get in',
    LIMIT,
    async () => {
      const held: Socket[] = [];
      const extra: Socket[] = [];
      try {
        for (let i = 0; i < 10; i++) held.push(await open(port, '127.0.0.2'));
        extra.push(...(await Promise.all(Array.from({ length: 20 }, () => open(port, '127.0.0.2')))));
        const refused = await Promise.all(extra.map((socket) => closedWithin(socket, 2_000)));
        assert.equal(refused.filter((r) => r === null).length, 0, 'a connection past the cap stayed open');
        for (const answer of refused)
          assert.match(answer as string, /^HTTP\/1\.1 429 .*retry-after: \d+.*rate_limited/is);
        const stillOpen = await Promise.all(held.map((socket) => closedWithin(socket, 300)));
        assert.ok(
          stillOpen.every((r) => r === null),
          'the first 10 connections were closed',
        );
        // Another address is served as usual while the first one is at its cap.
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        assert.equal(health.status, 200);
      } finally {
        for (const socket of [...held, ...extra]) socket.destroy();
      }
      // Once the held connections are gone, the address gets in again.
      await sleep(100);
      const again = await open(port, '127.0.0.2');
      assert.equal(await closedWithin(again, 300), null);
      again.destroy();
    },
  );
});

describe('event streams per user', () => {
  let h: AgentServer;
  let port: number;
  before(async () => {
    h = await listening({ maxEventStreamsPerUser: 3 });
    port = portOf(h);
  });
  after(() => h.cleanup(), LIMIT);

  test(
    'the 4th stream of one user answers 429 rate_limited; another user, or a closed stream, frees a place',
    LIMIT,
    async () => {
      const viewer = await h.createUser(h.orgId, 'tabs', 'viewer');
      const other = await h.createUser(h.orgId, 'other', 'viewer');
      const streams = [];
      for (let i = 0; i < 3; i++) streams.push(await eventStream(port, viewer.token));
      assert.deepEqual(
        streams.map((s) => s.statusCode),
        [200, 200, 200],
      );
      const fourth = await eventStream(port, viewer.token);
      assert.equal(fourth.statusCode, 429);
      const error = JSON.parse(await bodyOf(fourth)).error;
      assert.equal(error.code, 'rate_limited');
      assert.match(error.message, /3 event streams/);
      const others = await eventStream(port, other.token);
      assert.equal(others.statusCode, 200, 'another user was refused');
      streams[0]?.destroy();
      await sleep(200);
      const replacement = await eventStream(port, viewer.token);
      assert.equal(replacement.statusCode, 200);
      for (const s of [...streams, others, replacement]) s.destroy();
    },
  );
});

describe('login throttling', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  let h: ServerHarness;
  before(async () => {
    h = await startServerHarness({
      limits: {
        ...FAST,
        loginAttemptsPerAddress: 5,
        loginAddressWindowMs: 60_000,
        loginFailuresPerName: 3,
        loginNameWindowMs: 1_500,
      },
      logger,
    });
    const org = await h.createOrg('acme');
    await h.expect(201, 'POST', `/api/v1/orgs/${org.id}/users`, {
      body: { name: 'ada', role: 'viewer', password: 'correct horse battery' },
    });
  });
  after(() => h.cleanup(), LIMIT);

  const login = (name: string, password: string, remoteAddress: string) =>
    h.app.inject({ method: 'POST', url: '/api/v1/login', remoteAddress, payload: { name, password } });

  test(
    'one address: 5 attempts, then 429 with Retry-After, whatever the name; another address is not held',
    LIMIT,
    async () => {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await login(`nobody${i}`, 'guess', '10.0.0.1')).statusCode);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
      const refused = await login('someone-else', 'guess', '10.0.0.1');
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error.code, 'rate_limited');
      assert.ok(Number(refused.headers['retry-after']) > 0, 'no Retry-After');
      assert.equal((await login('nobody', 'guess', '10.0.0.2')).statusCode, 401);
      assert.ok(
        lines.some((l) => l['event'] === 'login_lockout' && l['address'] === '10.0.0.1'),
        'the address lockout was not logged',
      );
    },
  );

  test(
    'one name: 3 failures from anywhere lock it (even the right password, from a new address) until the window passes',
    LIMIT,
    async () => {
      assert.equal((await login('ada', 'correct horse battery', '10.1.0.1')).statusCode, 200);
      for (const address of ['10.2.0.1', '10.2.0.2', '10.2.0.3']) {
        assert.equal((await login('ada', 'wrong', address)).statusCode, 401);
      }
      const locked = await login('ada', 'correct horse battery', '10.2.0.4');
      assert.equal(locked.statusCode, 429);
      assert.equal(locked.json().error.code, 'rate_limited');
      assert.match(locked.json().error.message, /ada/);
      assert.ok(Number(locked.headers['retry-after']) >= 1, 'no Retry-After');
      assert.ok(
        lines.some((l) => l['event'] === 'login_lockout' && l['name'] === 'ada' && typeof l['address'] === 'string'),
        'the name lockout was not logged',
      );
      // The address ada logged in from before is not locked out by the attacker's guesses.
      assert.equal((await login('ada', 'correct horse battery', '10.1.0.1')).statusCode, 200);
      // The lock slides away: once the failures are older than the window, the name is open again.
      await sleep(1_600);
      assert.equal((await login('ada', 'correct horse battery', '10.2.0.4')).statusCode, 200);
    },
  );
});

describe('deeply nested JSON', () => {
  let h: AgentServer;
  before(async () => {
    h = await listening({});
  });
  after(() => h.cleanup(), LIMIT);

  const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

  test('10,000 levels inside a task definition answer 400 invalid_input, not 500', LIMIT, async () => {
    const payload = `{"name":"deep","schedule":{"kind":"manual"},"jobs":[{"name":"a","module":"noop","params":{"x":${nested(10_000)}},"targets":{"server":true}}]}`;
    const reply = await h.call('POST', `/api/v1/tasks?org=${h.orgId}`, {
      payload,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(reply.status, 400, reply.body);
    assert.equal(reply.json.error.code, 'invalid_input');
    assert.match(reply.json.error.message, /nested/);
  });

  /** An agent's events call whose job result is nested `levels` deep. */
  async function deepResult(levels: number): Promise<{ status: number; error: { code: string; message: string } }> {
    const agent = await h.enrol();
    const result = `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const res = await fetch(`${h.base}/agent/v1/jobstates/nope/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.credential}` },
      body: `{"attempt":1,"events":[{"seq":1,"ts":0,"type":"finished","result":${result}}]}`,
    });
    return { status: res.status, error: ((await res.json()) as { error: { code: string; message: string } }).error };
  }

  test('a job result nested as deep as the 256 KB events limit allows answers 400 invalid_input', LIMIT, async () => {
    const { status, error } = await deepResult(40_000);
    assert.equal(status, 400, error.message);
    assert.equal(error.code, 'invalid_input');
    assert.match(error.message, /nested/);
  });

  test('nesting within the limit still reaches the route', LIMIT, async () => {
    const { status, error } = await deepResult(60);
    assert.equal(status, 404, error.message);
    assert.match(error.message, /jobstate nope not found/);
  });
});

describe('security headers', () => {
  let h: ServerHarness;
  before(async () => {
    h = await startServerHarness();
  });
  after(() => h.cleanup(), LIMIT);

  test('the UI page and the API carry CSP, nosniff, frame-ancestors none and a referrer policy', LIMIT, async () => {
    for (const url of ['/', '/tasks/123', '/api/v1/me', '/api/docs', '/health']) {
      const reply = await h.call('GET', url, { token: url === '/api/v1/me' ? h.adminToken : null });
      assert.ok(reply.status < 400, `${url} → ${reply.status}`);
      const csp = String(reply.headers['content-security-policy'] ?? '');
      assert.match(csp, /default-src 'self'/, `${url}: no CSP`);
      assert.match(csp, /frame-ancestors 'none'/, `${url}: framing allowed`);
      assert.match(csp, /script-src 'self'/, `${url}: scripts from anywhere`);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, `${url}: a plain-HTTP install would break`);
      assert.equal(reply.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(reply.headers['x-frame-options'], 'DENY', url);
      assert.equal(reply.headers['referrer-policy'], 'no-referrer', url);
    }
  });

  test("an agent's answers carry the short set: nothing may load them, frame them or sniff them", LIMIT, async () => {
    const s = await startAgentServer();
    try {
      const agent = await s.enrol();
      const reply = await fetch(`${s.base}/agent/v1/contact`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agent.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: '1.0.0', modules: ['command'], running: [] }),
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(reply.headers.get('x-frame-options'), 'DENY');
      assert.equal(reply.headers.get('referrer-policy'), null, 'a page directive on a machine answer');
    } finally {
      await s.cleanup();
    }
  });

  test('refusals carry them too: an API and an agent call without credentials', LIMIT, async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/me'],
      ['POST', '/agent/v1/contact'],
    ] as const) {
      const reply = await h.call(method, url, { token: null });
      assert.equal(reply.status, 401, url);
      assert.match(String(reply.headers['content-security-policy'] ?? ''), /frame-ancestors 'none'/, url);
      assert.equal(reply.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(reply.headers['x-frame-options'], 'DENY', url);
    }
  });
});
