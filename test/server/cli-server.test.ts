// `taskwarden server` through the real binary: first start writes the admin token (0600) and
// prints only its path, /health answers, SIGTERM shuts down with exit 0; a second start on
// the same data keeps the admin and writes no new token.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, cliEnv } from '../support/cli.ts';

const quiet = cliEnv({ TASKWARDEN_LOG_LEVEL: 'warn' });

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts the server and resolves once it printed its URL. */
function startServer(args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'server', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
});
