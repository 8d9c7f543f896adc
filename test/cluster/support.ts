// Real node processes on one PostgreSQL database: engine-only nodes (test/fixtures/engine-node.ts)
// and full servers (bin/taskwarden.js server), with what their output says.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { newId } from '../../src/core/ids.ts';
import type { Task } from '../../src/core/model.ts';
import type { Store } from '../../src/core/ports/store.ts';
import type { EngineOptions } from '../../src/engine/context.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { writeTasks } from '../support/bulk-tasks.ts';
import { cliEnv, serverArgv } from '../support/cli.ts';
import { builtinEngine } from '../support/engine.ts';

const ROOT = join(import.meta.dirname, '../..');
const ENGINE_NODE = join(ROOT, 'test/fixtures/engine-node.ts');
/** A node that has not exited this long after SIGTERM is killed. */
const STOP_GRACE_MS = 15_000;

export interface NodeProcess {
  child: ChildProcess;
  /** Everything it wrote so far. */
  output(): string;
  /** Sends `signal` (SIGKILL, SIGSTOP, SIGCONT…). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then the exit code once it exited. */
  stop(): Promise<number | null>;
}

export interface EngineNode extends NodeProcess {
  nodeId: string;
}

export interface ServerNode extends NodeProcess {
  url: string;
  dataDir: string;
}

function watch(child: ChildProcess, cleanup: () => Promise<void> = async () => {}): NodeProcess {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT'); // a stopped process handles SIGTERM only once it runs again
        child.kill('SIGTERM');
      }
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const code = await exited;
      clearTimeout(killer);
      await cleanup();
      return code;
    },
  };
}

/** Resolves with the first match of `pattern` in the process's output; rejects if it exits first. */
function awaitOutput(node: NodeProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(node.output());
      if (match) {
        done();
        resolve(match);
      }
    };
    const exit = (code: number | null) => {
      done();
      reject(new Error(`${what} exited (${code}) before it was ready:\n${node.output()}`));
    };
    const done = () => {
      node.child.stdout?.off('data', check);
      node.child.stderr?.off('data', check);
      node.child.off('exit', exit);
    };
    node.child.stdout?.on('data', check);
    node.child.stderr?.on('data', check);
    node.child.once('exit', exit);
    check();
  });
}

/**
 * An engine-only node on `url` (lease 2 s, chunks of 50 ms, polls every 100 ms unless `options`
 * say otherwise); `env` adds variables (PGAPPNAME names its connections in pg_stat_activity).
 */
export async function startEngineNode(
  url: string,
  options: Partial<EngineOptions> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<EngineNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENGINE_NODE, url, JSON.stringify(options)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const node = watch(child);
  const [, nodeId] = await awaitOutput(node, /^ready (\S+)$/m, 'engine node');
  return { ...node, nodeId: nodeId as string };
}

/** `taskwarden server --db url --port 0` with its own data folder (removed at stop); `env` adds variables. */
export async function startServerNode(url: string, env: NodeJS.ProcessEnv = {}): Promise<ServerNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tw-cluster-'));
  const child = spawn(process.execPath, serverArgv('--db', url, '--port', '0', '--data', dataDir), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cliEnv({ TASKWARDEN_LOG_LEVEL: 'warn', ...env }),
  });
  const node = watch(child, () => rm(dataDir, { recursive: true, force: true }));
  const [, serverUrl] = await awaitOutput(node, /listening on (http:\/\/\S+)/, 'server node');
  return { ...node, url: serverUrl as string, dataDir };
}

/** The admin token the first server on an empty database wrote. */
export async function adminTokenOf(server: ServerNode): Promise<string> {
  return (await readFile(join(server.dataDir, 'admin.token'), 'utf8')).trim();
}

/** Calls a server's API as `token`; returns the status and the parsed body. */
export async function api(
  server: ServerNode,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: test replies are read field by field
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Rows of one query on a connection of its own. */
export async function query<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The test's own hands on the database: a store and an engine that is never started, so it
 * writes tasks and asks for runs (publishing wakes like any node) but runs nothing itself.
 */
export interface Author {
  store: Store;
  engine: Engine;
  orgId: string;
  addTask(def: Record<string, unknown>): Promise<Task>;
  /** `count` tasks of `def` written in bulk (writeTasks): no wake per task; returns their ids. */
  addTasks(def: Record<string, unknown>, count: number): Promise<string[]>;
  close(): Promise<void>;
}

/** A store of its own on `url` and an engine on it (built-in modules, UTC, `options`), not started. */
export async function openEngine(url: string, options: Partial<EngineOptions> = {}) {
  const store = await openPostgresStore({ url, poolSize: 4 });
  return { store, ...builtinEngine(store, options) };
}

export async function openAuthor(url: string): Promise<Author> {
  const { store, modules, engine } = await openEngine(url);
  const org = await store.orgs.create({ id: newId(), name: `cluster-${newId()}`, createdAt: Date.now() });
  return {
    store,
    engine,
    orgId: org.id,
    addTask: (def) =>
      engine.createTask(org.id, readTaskDef({ name: `t-${newId()}`, ...def }, { modules, defaultTz: 'UTC' }), null),
    addTasks: (def, count) => writeTasks({ store, modules, orgId: org.id, def, count, now: Date.now() }),
    async close() {
      await engine.stop(0);
      await store.close();
    },
  };
}

/**
 * Runs `body` with an author on the database at `url` and a list for the engine nodes it starts;
 * then, however `body` ended, stops every node in the list and closes the author.
 */
export async function withEngineNodes(
  url: string,
  body: (author: Author, nodes: EngineNode[]) => Promise<void>,
): Promise<void> {
  const author = await openAuthor(url);
  const nodes: EngineNode[] = [];
  try {
    await body(author, nodes);
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await author.close();
  }
}

/** The "chunk k/n" lines of a jobstate's log, in order. */
export async function chunkLines(store: Store, jobstateId: string): Promise<string[]> {
  const { items } = await store.logs.list(jobstateId, { limit: 1000 });
  return items.map((line) => line.line).filter((line) => line.startsWith('chunk '));
}

export const RESUME_MARKER = 'the node running this job stopped; resuming from its last checkpoint';
