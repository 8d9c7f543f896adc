// `user create` never takes the password as an argument (other local users read argv in
// ps): it reads --password-file (or standard input with -), or asks twice at a terminal
// without echoing it, and the password set is the one the web UI login accepts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveServerConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { BIN, runCli } from '../support/cli.ts';

describe('user create and its password', () => {
  let dir: string;
  let data: string;
  let server: RunningServer;

  const login = async (name: string, password: string) =>
    (
      await fetch(`${server.url}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, password }),
      })
    ).status;
  const create = (name: string, extra: string[], input?: string) =>
    runCli(['user', 'create', name, '--org', 'acme', '--role', 'operator', '--data', data, ...extra], { input });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-password-'));
    data = join(dir, 'data');
    server = await startServer(resolveServerConfig({ data, port: '0' }, { TASKWARDEN_LOG_LEVEL: 'silent' }, dir));
    assert.equal((await runCli(['org', 'create', 'acme', '--data', data])).code, 0);
  });

  after(async () => {
    await server?.close(1_000);
    await rm(dir, { recursive: true, force: true });
  });

  test('--password-file: its first line; - reads standard input', async () => {
    await writeFile(join(dir, 'pw'), 'from-a-file-123\nignored\n', { mode: 0o600 });
    const fromFile = await create('bob', ['--password-file', join(dir, 'pw')]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(await login('bob', 'from-a-file-123'), 200);
    const fromStdin = await create('dan', ['--password-file', '-'], 'from-stdin-456\n');
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(await login('dan', 'from-stdin-456'), 200);
  });

  test('--password is no option any more; without a file or a terminal the user has no password', async () => {
    const refused = await create('eve', ['--password', 'in-ps-for-all']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /unknown option '--password'/);
    const none = await create('fay', []);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /created user fay .*no password: API tokens only/);
    assert.equal(await login('fay', ''), 400);
    assert.equal(await login('eve', 'in-ps-for-all'), 401, 'eve was not created');
  });

  test('at a terminal it asks twice and never echoes the password', async () => {
    // script(1) gives the command a terminal; keys are typed once each prompt shows.
    const command = `${process.execPath} ${BIN} user create carol --org acme --role viewer --data ${data}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, TASKWARDEN_URL: '', TASKWARDEN_TOKEN: '', TASKWARDEN_ORG: '' },
    });
    let output = '';
    const typed = new Set<string>();
    child.stdout.on('data', (d) => {
      output += d;
      for (const prompt of ['password for carol', 'again:']) {
        if (output.includes(prompt) && !typed.has(prompt)) {
          typed.add(prompt);
          child.stdin.write('typed-at-tty-789\r');
        }
      }
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /created user carol/);
    assert.doesNotMatch(output, /typed-at-tty-789/);
    assert.equal(await login('carol', 'typed-at-tty-789'), 200);
  });
});
