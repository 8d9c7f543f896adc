// `taskwarden server` through the real binary: first start writes the admin token (0600) and
// prints only its path, /health answers, SIGTERM shuts down with exit 0; a second start on
// the same data keeps the admin and writes no new token. Started by a bare `node` (as here,
// and as npx or a shell starts it), it relaunches itself with the server's Node flags
// (cli/relaunch.ts): a stop sent to its process group counts once, and killing the
// relauncher stops the server.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_NODE_FLAGS, servesAsStarted } from '../../src/cli/server-node-flags.ts';
import { BIN, cliEnv } from '../support/cli.ts';

const quiet = cliEnv({ TASKWARDEN_LOG_LEVEL: 'warn' });

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Every server started: those a failed test left running are killed at the end. */
const spawned: ChildProcess[] = [];
after(() => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * Starts the server and resolves once it printed its URL; `nodeFlags` go before the script,
 * and `detached` gives it a process group of its own, which the test may signal whole.
 */
function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { nodeFlags?: string[]; detached?: boolean } = {},
): Promise<Started> {
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), BIN, 'server', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  spawned.push(child);
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolvePromise({ child, url, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
}

describe('taskwarden server (binary)', () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  test('first start, health, authenticated call, SIGTERM; a second start keeps the admin', async () => {
    const data = await mkdtemp(join(tmpdir(), 'taskwarden-cli-'));
    dirs.push(data);
    const first = await startServer(['--data', data, '--port', '0'], quiet);
    const tokenFile = join(data, 'admin.token');
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    assert.ok(first.output().includes(`admin token written to ${tokenFile}`));
    assert.ok(!first.output().includes(token), 'the token itself must not be printed');

    const health = await fetch(`${first.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const me = await fetch(`${first.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await me.json()) as { role: string }).role, 'admin');

    const exited = exitOf(first.child);
    first.child.kill('SIGTERM');
    assert.equal(await exited, 0);

    const second = await startServer(['--port', '0'], { ...quiet, TASKWARDEN_DATA: data });
    assert.ok(!second.output().includes('admin token written'));
    assert.equal((await readFile(tokenFile, 'utf8')).trim(), token);
    const again = await fetch(`${second.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(again.status, 200);
    const stopped = exitOf(second.child);
    second.child.kill('SIGINT');
    assert.equal(await stopped, 0);
  });

  test('a bad flag exits 2 with a message naming it', () => {
    const result = spawnSync(process.execPath, [BIN, 'server', '--port', 'eighty'], { env: quiet, encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^taskwarden: --port: "eighty" is not a port/m);
  });

  test('started by a bare node, it serves from a child Node with the server flags; a group stop counts once', async () => {
    const data = await mkdtemp(join(tmpdir(), 'taskwarden-cli-'));
    dirs.push(data);
    const wrapper = await startServer(['--data', data, '--port', '0'], quiet, { detached: true });
    const pid = wrapper.child.pid as number;
    const served = serverChildOf(pid);
    assert.ok(served, `a child Node serves: ${JSON.stringify(commandLinesOfChildren(pid))}`);
    assert.deepEqual(served.args.slice(0, SERVER_NODE_FLAGS.length), [...SERVER_NODE_FLAGS]);
    assert.equal((await fetch(`${wrapper.url}/health`)).status, 200);
    const exited = exitOf(wrapper.child);
    // A terminal's Ctrl+C: the whole process group gets it, so the server gets it straight and
    // again through the relauncher, a moment later.
    process.kill(served.pid, 'SIGINT');
    process.kill(pid, 'SIGINT');
    assert.equal(await exited, 0, wrapper.output());
    assert.equal(wrapper.output().match(/SIGINT received/g)?.length, 1, wrapper.output());
    assert.ok(!wrapper.output().includes('exiting now'), wrapper.output());
  });

  test('killing the relauncher stops its server; started with the flags, it serves in place', async () => {
    const data = await mkdtemp(join(tmpdir(), 'taskwarden-cli-'));
    dirs.push(data);
    const wrapper = await startServer(['--data', data, '--port', '0'], quiet);
    const served = serverChildOf(wrapper.child.pid as number);
    assert.ok(served);
    const exited = exitOf(wrapper.child);
    wrapper.child.kill('SIGKILL');
    await exited;
    const until = Date.now() + 15_000;
    while (isRunning(served.pid) && Date.now() < until) await sleep(50);
    assert.ok(!isRunning(served.pid), 'the server stopped with its relauncher');
    await assert.rejects(fetch(`${wrapper.url}/health`));

    for (const started of [
      await startServer(['--data', data, '--port', '0'], quiet, { nodeFlags: [...SERVER_NODE_FLAGS] }),
      await startServer(['--data', data, '--port', '0'], { ...quiet, NODE_OPTIONS: '--max-semi-space-size=32' }),
    ]) {
      assert.equal(serverChildOf(started.child.pid as number), undefined, 'no relaunch');
      assert.equal((await fetch(`${started.url}/health`)).status, 200);
      const stopped = exitOf(started.child);
      started.child.kill('SIGTERM');
      assert.equal(await stopped, 0);
    }
  });
});

test('a young-generation size chosen, or a debugger to attach, on the command line or in NODE_OPTIONS: no relaunch', () => {
  assert.equal(servesAsStarted(['--max-semi-space-size=64'], undefined), true);
  assert.equal(servesAsStarted(['--max-semi-space-size', '8'], undefined), true);
  assert.equal(servesAsStarted([], '--inspect --max_semi_space_size=16'), true);
  assert.equal(servesAsStarted(['--max-old-space-size=512'], '--max-semi-space-sizes'), false);
  assert.equal(servesAsStarted([], undefined), false);
  assert.equal(servesAsStarted(['--inspect'], undefined), true);
  assert.equal(servesAsStarted([], '--inspect-brk=0.0.0.0:9230'), true);
  assert.equal(servesAsStarted(['--inspector-nonsense'], undefined), false);
});

/** The command lines (arguments after node) of a process's children (Linux /proc). */
function commandLinesOfChildren(pid: number): { pid: number; args: string[] }[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean);
  return children.flatMap((child) => {
    try {
      const args = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return [{ pid: Number(child), args: args.slice(1) }];
    } catch {
      return []; // gone meanwhile
    }
  });
}

/** The child of `pid` running `taskwarden server`, if any. */
function serverChildOf(pid: number): { pid: number; args: string[] } | undefined {
  return commandLinesOfChildren(pid).find(({ args }) => args.includes(BIN) && args.includes('server'));
}

/** Whether the process exists and is no zombie. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
