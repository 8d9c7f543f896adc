// Attack: reading the enrolment token in `ps` (issue 12). Any local user sees every
// process's argv (/proc/<pid>/cmdline); a real `taskwarden agent` given its token in a file
// or in the environment enrols without the token in any command line on the machine.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type E2EServer, killAgents, startAgent, startE2EServer } from '../agent/e2e-support.ts';
import { BIN, cliEnv } from '../support/cli.ts';

/** Every command line of the machine that holds `secret`, as `ps -ef` would show it. */
async function commandLinesWith(secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(secret)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

/** Runs `taskwarden <args>` to its end (the server runs in this process: never block it). */
function taskwarden(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(env) });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe('attack: the enrolment token in the process list', () => {
  let server: E2EServer;
  const dirs: string[] = [];
  before(async () => {
    server = await startE2EServer();
  });
  after(async () => {
    await killAgents();
    await server.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  for (const via of ['file', 'env'] as const) {
    test(`an agent given its token by ${via} enrols, and no command line shows the token`, async () => {
      const token = await server.enrolmentToken([], 1);
      const agent = await startAgent({ server: server.url, enrol: token, enrolVia: via });
      dirs.push(agent.dir);
      assert.match(agent.agentId, /\S/);
      const cmdline = await readFile(`/proc/${agent.child.pid}/cmdline`, 'utf8');
      assert.equal(cmdline.includes(token), false, cmdline);
      assert.deepEqual(await commandLinesWith(token), []);
      agent.child.kill('SIGTERM');
      assert.equal(await agent.exited, 0);
    });
  }

  test('--help documents both ways; an unreadable token file is a usage error naming the flag', async () => {
    const help = await taskwarden(['agent', '--help']);
    assert.equal(help.code, 0, help.out);
    assert.match(help.out, /--enrol-file <path>/);
    assert.match(help.out, /TASKWARDEN_ENROL_TOKEN/);
    const missing = await taskwarden([
      'agent',
      '--server',
      server.url,
      '--enrol-file',
      '/nonexistent/enrol.token',
      '--data',
      '/nonexistent/agent',
    ]);
    assert.equal(missing.code, 2, missing.out);
    assert.match(missing.out, /--enrol-file: cannot read/);
  });

  test("a machine claiming an enrolled agent's device id is refused and says who can allow it", async () => {
    const first = await startAgent({ server: server.url, enrol: await server.enrolmentToken([], 1), enrolVia: 'env' });
    dirs.push(first.dir);
    const { deviceId } = JSON.parse(await readFile(join(first.dir, 'agent.json'), 'utf8')) as { deviceId: string };
    const dir = await mkdtemp(join(tmpdir(), 'taskwarden-twin-'));
    dirs.push(dir);
    const twin = await taskwarden(['agent', '--server', server.url, '--data', dir, '--device-id', deviceId], {
      TASKWARDEN_ENROL_TOKEN: await server.enrolmentToken([], 1),
    });
    assert.equal(twin.code, 4, twin.out); // agent_already_enrolled: a conflict (README, CLI exit codes)
    assert.match(twin.out, /already enrolled in this org: .* an administrator must first allow it/);
  });
});
