// Attack: reading the enrolment token in `ps` (issue 12). Any local user sees every
// process's argv (/proc/<pid>/cmdline); a real `taskwarden agent` given its token in a file
// or in the environment enrols without the token in any command line on the machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { BIN, type E2EServer, killAgents, startAgent, startE2EServer } from '../agent/e2e-support.ts';

/** Every command line of the machine that holds `secret`, as `ps -ef` would show it. */
async function commandLinesWith(secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(secret)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

describe('attack: the enrolment token in the process list', () => {
  let server: E2EServer;
  before(async () => {
    server = await startE2EServer();
  });
  after(async () => {
    await killAgents();
    await server.close();
  });

  for (const via of ['file', 'env'] as const) {
    test(`an agent given its token by ${via} enrols, and no command line shows the token`, async () => {
      const token = await server.enrolmentToken([], 1);
      const agent = await startAgent({ server: server.url, enrol: token, enrolVia: via });
      assert.match(agent.agentId, /\S/);
      const cmdline = await readFile(`/proc/${agent.child.pid}/cmdline`, 'utf8');
      assert.equal(cmdline.includes(token), false, cmdline);
      assert.deepEqual(await commandLinesWith(token), []);
      agent.child.kill('SIGTERM');
      assert.equal(await agent.exited, 0);
    });
  }

  test('--help documents both ways; an unreadable token file is a usage error naming the flag', () => {
    const help = spawnSync(process.execPath, [BIN, 'agent', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--enrol-file <path>/);
    assert.match(help.stdout, /TASKWARDEN_ENROL_TOKEN/);
    const missing = spawnSync(
      process.execPath,
      [
        BIN,
        'agent',
        '--server',
        server.url,
        '--enrol-file',
        '/nonexistent/enrol.token',
        '--data',
        '/nonexistent/agent',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(missing.stderr, /--enrol-file/);
  });
});
