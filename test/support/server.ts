// An HTTP app over a real SQLite store and a real, started engine, driven with app.inject.
// Helpers create orgs, users and tokens through the API itself, so tests read like a client.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type Clock, systemClock } from '../../src/core/clock.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { Engine } from '../../src/engine/engine.ts';
import type { NotifyOptions } from '../../src/engine/notify/delivery-loop.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { buildApp, type TrustProxy } from '../../src/server/app.ts';
import { ensureAdmin } from '../../src/server/bootstrap.ts';
import { resolveServerConfig } from '../../src/server/config.ts';
import type { HttpLimits } from '../../src/server/http-limits.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { parseAllowList, WebhookGuard } from '../../src/server/notify/allow-list.ts';
import type { SmtpSettings } from '../../src/server/notify/email.ts';
import { ServerNotifier } from '../../src/server/notify/notifier.ts';
import { PackageFiles } from '../../src/server/package-files.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { openTestStore } from './store.ts';

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test replies are read field by field
  json: any;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** A raw payload (sent as is) instead of a JSON body. */
  payload?: string;
  headers?: Record<string, string>;
}

export interface ServerHarness {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  adminToken: string;
  /** The server's data folder (holds admin.token as a real server's does; package files are under `packages/`). */
  dataDir: string;
  /** Calls the app as `token` (default: the admin). */
  call(method: string, url: string, opts?: RequestOptions): Promise<Reply>;
  /** Like call, and asserts the status. */
  expect(status: number, method: string, url: string, opts?: RequestOptions): Promise<Reply>;
  createOrg(name: string): Promise<{ id: string; name: string }>;
  /** A user of `orgId` with `role` and an API token for it. */
  createUser(orgId: string, name: string, role: string): Promise<{ id: string; token: string }>;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  clock?: Clock;
  bodyLimit?: number;
  packageLimit?: number;
  limits?: Partial<HttpLimits>;
  /** Default: none (silent). */
  logger?: FastifyBaseLogger;
  trustProxy?: TrustProxy;
  /** Where webhooks may go (TASKWARDEN_WEBHOOK_ALLOW's syntax); default 127.0.0.1, the only address tests reach; null = the server's default rule. */
  webhookAllow?: string | null;
  smtp?: SmtpSettings;
  notify?: Partial<NotifyOptions>;
  /** The engine loop's longest sleep; default 200 ms (timers of the tests fire soon). */
  maxSleepMs?: number;
}

export async function startServerHarness(opts: HarnessOptions = {}): Promise<ServerHarness> {
  const { store, cleanup: closeStore } = await openTestStore();
  const dataDir = await mkdtemp(join(tmpdir(), 'taskwarden-server-'));
  const clock = opts.clock ?? systemClock;
  const modules = createModuleRegistry(builtinModules({ testModules: true }));
  const packageFiles = new PackageFiles(join(dataDir, 'packages'), opts.packageLimit);
  const allow = opts.webhookAllow === undefined ? '127.0.0.1' : opts.webhookAllow;
  const webhooks = new WebhookGuard(allow === null ? null : parseAllowList(allow, 'webhookAllow'));
  const notifier = new ServerNotifier({
    guard: webhooks,
    smtp: opts.smtp ?? null,
    publicUrl: 'http://taskwarden.test',
    timeoutMs: opts.notify?.timeoutMs ?? 5_000,
  });
  const engine = new Engine({
    store,
    modules,
    services: createModuleServices(store, { clock, packageFiles }),
    clock,
    options: { defaultTz: 'UTC', maxSleepMs: opts.maxSleepMs ?? 200 },
    notifier,
    notifyOptions: opts.notify,
  });
  const tokenFile = await ensureAdmin(store, dataDir, clock);
  assert.ok(tokenFile);
  const adminToken = (await readFile(tokenFile, 'utf8')).trim();
  const app = await buildApp({
    store,
    engine,
    modules,
    clock,
    defaultTz: 'UTC',
    bodyLimit: opts.bodyLimit,
    packageFiles,
    limits: opts.limits,
    ...(opts.logger ? { logger: opts.logger } : {}),
    trustProxy: opts.trustProxy,
    webhooks,
  });
  await engine.start();

  async function call(method: string, url: string, options: RequestOptions = {}): Promise<Reply> {
    const token = options.token === undefined ? adminToken : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let payload: string | undefined = options.payload;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    let json: unknown = null;
    try {
      json = res.body === '' ? null : JSON.parse(res.body);
    } catch {
      json = null;
    }
    return { status: res.statusCode, json, body: res.body, headers: res.headers };
  }

  async function expect(status: number, method: string, url: string, options?: RequestOptions): Promise<Reply> {
    const reply = await call(method, url, options);
    assert.equal(reply.status, status, `${method} ${url} → ${reply.status} ${reply.body}`);
    return reply;
  }

  return {
    app,
    store,
    engine,
    adminToken,
    dataDir,
    call,
    expect,
    async createOrg(name) {
      return (await expect(201, 'POST', '/api/v1/orgs', { body: { name } })).json;
    },
    async createUser(orgId, name, role) {
      const user = (await expect(201, 'POST', `/api/v1/orgs/${orgId}/users`, { body: { name, role } })).json;
      const token = (await expect(201, 'POST', `/api/v1/users/${user.id}/tokens`, { body: { name: 'test' } })).json;
      return { id: user.id, token: token.token };
    },
    async cleanup() {
      await app.close();
      await engine.stop(1_000);
      await closeStore();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A server command that echoes its argument, and a manual task that runs it. */
export const echoCommand = {
  name: 'echo-msg',
  argv: ['echo', '{msg}'],
  params: { msg: { type: 'string', pattern: '^[A-Za-z0-9 ]{1,40}$' } },
  runsOn: 'server',
  timeout: '1m',
};

export function echoTask(name: string, msg = 'hello world', extra: Record<string, unknown> = {}) {
  return {
    name,
    schedule: { kind: 'manual' },
    jobs: [
      {
        name: 'say',
        module: 'command',
        params: { command: echoCommand.name, args: { msg } },
        targets: { server: true },
      },
    ],
    ...extra,
  };
}

/** A task of one `noop` server job, hourly from 2030: it never fires during a test. */
export function noopTask(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    schedule: { kind: 'interval', every: '1h', start: '2030-01-01T00:00:00Z' },
    jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
    ...extra,
  };
}

/** A real server listening on a free port, for tests that run the CLI or fetch over a socket. */
export interface RealServer {
  server: RunningServer;
  /** A fresh folder of the test's own; the server's data folder is `data` in it. */
  dir: string;
  data: string;
  /** The global admin's API token, as the server wrote it to `<data>/admin.token`. */
  adminToken: string;
  /** Stops the server and removes `dir`. */
  close(): Promise<void>;
}

/** Starts `taskwarden server` in-process on a new folder (`prefix` names it), quiet, with `env` added. */
export async function startRealServer(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<RealServer> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const data = join(dir, 'data');
  const server = await startServer(
    resolveServerConfig({ data, port: '0' }, { TASKWARDEN_LOG_LEVEL: 'silent', ...env }, dir),
  );
  const adminToken = (await readFile(join(data, 'admin.token'), 'utf8')).trim();
  return {
    server,
    dir,
    data,
    adminToken,
    async close() {
      await server.close(1_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
