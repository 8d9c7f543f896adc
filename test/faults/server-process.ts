// A real `taskwarden server` process for the fault tests: started through the binary on a
// data folder, driven over HTTP with the admin token, stopped by real signals.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cliEnv, serverArgv } from '../support/cli.ts';

export interface ApiReply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test replies are read field by field
  json: any;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  token: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** An API call with the admin token, bounded by `timeoutMs`. */
  api(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<ApiReply>;
}

/** How long a start may take: tsx compiles the sources at each start, slow on a loaded 2-core box. */
const START_LIMIT_MS = 90_000;

/**
 * Starts the server on `data` and resolves once it printed its URL; bounded by START_LIMIT_MS.
 * Port 0 (the default) takes any free port; a restart that agents must find again passes the first one's.
 */
export async function startServerProcess(data: string, env: NodeJS.ProcessEnv = {}, port = 0): Promise<ServerProcess> {
  const child = spawn(process.execPath, serverArgv('--data', data, '--port', String(port)), {
    env: cliEnv({ TASKWARDEN_LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal)),
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    // A server that never listens (frozen by the job it resumed) must not outlive the test.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${START_LIMIT_MS} ms:\n${output}`));
    }, START_LIMIT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolveUrl(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
  const token = (await readFile(join(data, 'admin.token'), 'utf8')).trim();
  return {
    child,
    url,
    token,
    output: () => output,
    exited,
    async api(method, path, body, timeoutMs = 5_000) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
    },
  };
}

/** Milliseconds /health took to answer 200, or Infinity when it did not within `timeoutMs`. */
export async function healthLatency(url: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.text();
    return res.status === 200 ? performance.now() - started : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The process's exit, or null when it is still running after `ms` (then it is killed, so no test leaks it). */
export async function exitWithin(server: ServerProcess, ms: number): Promise<number | NodeJS.Signals | null> {
  const code = await Promise.race([server.exited, sleep(ms).then(() => 'still running' as const)]);
  if (code !== 'still running') return code;
  server.child.kill('SIGKILL');
  await server.exited;
  return null;
}

/** Polls `probe` every 50 ms until it returns something truthy; throws after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Waits for the task's newest run to end (finished or error) and checks it is the task's only run. */
export async function onlyRunEnded(
  server: ServerProcess,
  taskId: string,
  ms: number,
): Promise<{ id: string; status: string }> {
  const runsOf = async () => (await server.api('GET', `/api/v1/tasks/${taskId}/runs`)).json.items;
  const ended = await until(
    'the run to end',
    async () => {
      const [run] = await runsOf();
      return ['finished', 'error'].includes(run?.status) && run;
    },
    ms,
  );
  assert.equal((await runsOf()).length, 1, 'one run');
  return ended;
}
