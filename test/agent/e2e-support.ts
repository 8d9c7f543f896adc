// End-to-end harness: a real Taskwarden server (startServer, in this process, on a real
// port and SQLite file, restartable on the same port) and real `taskwarden agent` child
// processes, each in its own folder (its cwd too, so catalog commands can look at files
// there). Everything goes through the REST API or the agent protocol over sockets.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskwardenClient } from '../../src/client/api.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { ServerConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { tarBytes } from '../modules/tar-builder.ts';
import { BIN, cliEnv } from '../support/cli.ts';
import { waitFor } from './protocol-stub.ts';

export interface E2EServer {
  url: string;
  /** An org-admin of org "fleet", through the typed client. */
  client: TaskwardenClient;
  token: string;
  /** The global admin's token. */
  adminToken: string;
  /** A raw call as that org-admin; returns status and JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** The same with another token (an operator's, the admin's). */
  // biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
  callAs(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  enrolmentToken(tags?: string[], uses?: number): Promise<string>;
  /** Stops the server (agents keep running) and starts it again on the same port and data. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
}

/** `settings`: server settings a test changes (the agent grace…). */
export async function startE2EServer(
  settings: Partial<ServerConfig> = {},
  opts: { clock?: Clock } = {},
): Promise<E2EServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taskwarden-e2e-server-'));
  const config: ServerConfig = {
    dataDir,
    dbUrl: `sqlite:${join(dataDir, 'taskwarden.db')}`,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    bodyLimit: 1024 * 1024,
    testModules: true,
    ...settings,
  };
  let server: RunningServer = await startServer(config, opts);
  const url = server.url;
  config.port = Number(new URL(url).port);
  const adminToken = (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim();
  const admin = new TaskwardenClient({ server: url, token: adminToken });
  await admin.createOrg('fleet');
  const user = await admin.createUser('fleet', { name: 'fleet-admin', role: 'org-admin' });
  const { token } = await admin.createToken(user.id, { name: 'e2e' });
  const client = new TaskwardenClient({ server: url, token });

  const callAs: E2EServer['callAs'] = async (bearer, method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const call: E2EServer['call'] = (method, path, body) => callAs(token, method, path, body);

  return {
    url,
    client,
    token,
    adminToken,
    call,
    callAs,
    async enrolmentToken(tags = [], uses = 10) {
      const created = await call('POST', '/api/v1/enrolment-tokens', { uses, expiresIn: '1h', tags });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      return created.json.token as string;
    },
    async restart(downMs) {
      await server.close(1000);
      await new Promise((r) => setTimeout(r, downMs));
      server = await startServer(config, opts);
    },
    async close() {
      await server.close(1000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface AgentProcess {
  child: ChildProcess;
  agentId: string;
  /** The agent's --data folder, also its working directory. */
  dir: string;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Starts the same agent again (same folder, so same credential), without enrolling. */
  restart(): Promise<AgentProcess>;
}

export interface AgentOptions {
  server: string;
  enrol?: string;
  /** How the agent is given `enrol`: its --enrol flag (default), --enrol-file, or TASKWARDEN_ENROL_TOKEN. */
  enrolVia?: 'flag' | 'file' | 'env';
  dir?: string;
  name?: string;
  tags?: string[];
  /** Listen for push wakes on a free port. */
  listen?: boolean;
  longPoll?: number;
  concurrency?: number;
  /** --package-root (default <dir>/packages). */
  packageRoot?: string;
  /** The agent process's TZ (its OS zone, which it reports). */
  tz?: string;
  /** More environment variables (TASKWARDEN_MODULES…). */
  env?: NodeJS.ProcessEnv;
}

const running = new Set<ChildProcess>();

/** Starts `taskwarden agent` and resolves once it says it works for the server. */
export async function startAgent(opts: AgentOptions): Promise<AgentProcess> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'taskwarden-e2e-agent-')));
  const args = [BIN, 'agent', '--server', opts.server, '--data', dir];
  const env = cliEnv({ TASKWARDEN_LOG_LEVEL: 'debug', ...(opts.tz ? { TZ: opts.tz } : {}), ...opts.env });
  if (opts.enrol && opts.enrolVia === 'env') env['TASKWARDEN_ENROL_TOKEN'] = opts.enrol;
  else if (opts.enrol && opts.enrolVia === 'file') {
    const file = join(dir, 'enrol.token');
    await writeFile(file, `${opts.enrol}\n`, { mode: 0o600 });
    args.push('--enrol-file', file);
  } else if (opts.enrol) args.push('--enrol', opts.enrol);
  if (opts.name) args.push('--name', opts.name);
  if (opts.tags?.length) args.push('--tags', opts.tags.join(','));
  if (opts.listen) args.push('--listen', '0');
  if (opts.longPoll !== undefined) args.push('--long-poll', String(opts.longPoll));
  if (opts.concurrency !== undefined) args.push('--concurrency', String(opts.concurrency));
  if (opts.packageRoot !== undefined) args.push('--package-root', opts.packageRoot);
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolvePromise) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolvePromise(code);
    }),
  );
  let agentId = '';
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}:\n${output}`);
      agentId = /agent (\S+) working for/.exec(output)?.[1] ?? '';
      return agentId !== '';
    },
    `agent ${opts.name ?? dir} to start`,
    30_000,
  );
  const started: AgentProcess = {
    child,
    agentId,
    dir,
    output: () => output,
    exited,
    restart: () => startAgent({ ...opts, enrol: undefined, dir }),
  };
  return started;
}

/** Kills every agent still running (a failed test must not leave processes behind). */
export async function killAgents(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolvePromise) => {
          child.once('exit', () => resolvePromise());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** A server that owns the agents it starts (one enrolment token): close() kills them and removes their folders too. */
export interface FleetServer extends E2EServer {
  startAgent(opts?: Omit<AgentOptions, 'server' | 'enrol'>): Promise<AgentProcess>;
}

/**
 * startE2EServer with an enrolment token (`tags`, `uses`) for the agents it starts; an agent
 * started with `tags` enrols with a token of its own that adds them.
 */
export async function startFleetServer(
  tags: string[] = [],
  uses = 10,
  settings: Partial<ServerConfig> = {},
  opts: { clock?: Clock } = {},
): Promise<FleetServer> {
  const server = await startE2EServer(settings, opts);
  const token = await server.enrolmentToken(tags, uses);
  const dirs: string[] = [];
  return {
    ...server,
    async startAgent(opts = {}) {
      // An agent's tags come from its enrolment token (its --tags are only asked for): one of its own, then.
      const enrol = opts.tags?.length ? await server.enrolmentToken([...tags, ...opts.tags], 1) : token;
      const started = await startAgent({ ...opts, server: server.url, enrol });
      dirs.push(started.dir);
      return started;
    },
    async close() {
      await killAgents();
      await server.close();
      await removeDirs(dirs);
    },
  };
}

/**
 * Uploads the package `app` (a tar of app/run.sh, mode 0755) that extracts under `root` (the
 * global admin allows it for the org), then writes `marker.text` to `root`/installed with the
 * catalog command `write-marker` (its text parameter must match `marker.pattern`); its checks
 * skip it once both files are there.
 */
export async function addAppPackage(server: E2EServer, root: string, marker: { text: string; pattern: string }) {
  const allowed = await server.callAs(server.adminToken, 'PATCH', '/api/v1/orgs/fleet', { extractPrefixes: [root] });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.json));
  await server.client.addCommand({
    name: 'write-marker',
    argv: ['sh', '-c', 'echo "$2" > "$1"', 'write-marker', '{path}', '{text}'],
    params: {
      path: { type: 'string', pattern: '^/[A-Za-z0-9/_.-]*$' },
      text: { type: 'string', pattern: marker.pattern },
    },
    runsOn: 'agent',
  });
  const uploaded = await fetch(`${server.url}/api/v1/packages/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
    body: tarBytes([
      { name: 'app/', type: 'directory' },
      { name: 'app/run.sh', content: '#!/bin/sh\necho app\n', mode: 0o755 },
    ]),
  });
  assert.equal(uploaded.status, 201);
  const { sha256 } = (await uploaded.json()) as { sha256: string };
  const created = await server.call('POST', '/api/v1/packages', {
    name: 'app',
    version: '1.0',
    archive: sha256,
    checks: [
      { type: 'file-exists', path: `${root}/app/run.sh` },
      { type: 'file-exists', path: `${root}/installed` },
    ],
    steps: [
      { type: 'extract', to: root },
      { type: 'command', command: 'write-marker', args: { path: `${root}/installed`, text: marker.text } },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
}

/**
 * One run of `taskId` for an agent that contacts the server only when told (`contact`, e.g.
 * one FusionInventory agent run, which must exit 0): resolves with the run's only jobstate,
 * once the run finished, and that jobstate's log lines.
 */
export async function runWithContact(
  server: E2EServer,
  taskId: string,
  contact: () => Promise<{ code: number | null; output: string }>,
) {
  const started = await server.client.runTask(taskId);
  const ran = await contact();
  assert.equal(ran.code, 0, ran.output);
  const ended = await runEnded(server.client, started.id, 10_000);
  const [js] = await server.client.runJobstates(ended.id);
  assert.ok(js, 'the run has its jobstate');
  assert.equal(ended.status, 'finished', JSON.stringify(js));
  const lines = (await allLogs(server.client, js.id as string)).map((l) => l.line);
  return { js, lines };
}

export const TERMINAL = ['finished', 'error', 'cancelled', 'skipped'];

/** Polls a run until it ended (finished, error, cancelled). */
export async function runEnded(client: TaskwardenClient, runId: string, timeoutMs = 60_000) {
  let run = await client.getRun(runId);
  await waitFor(
    async () => {
      run = await client.getRun(runId);
      return ['finished', 'error', 'cancelled'].includes(run.status);
    },
    `run ${runId} to end`,
    timeoutMs,
  );
  return run;
}

/** Every log line of a jobstate, all pages. */
export async function allLogs(client: TaskwardenClient, jobstateId: string) {
  const lines = [];
  let after: string | undefined;
  do {
    const page = await client.logs(jobstateId, after);
    lines.push(...page.items);
    after = page.next ?? undefined;
  } while (after);
  return lines;
}

export const stdoutOf = (lines: { stream: string; line: string }[]) =>
  lines.filter((l) => l.stream === 'stdout').map((l) => l.line);

export async function removeDirs(dirs: string[]): Promise<void> {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}
