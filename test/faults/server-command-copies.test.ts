// Fault: the server is killed -9 while it runs a server-side catalog command, then started
// again on the same data. The command (`sh -c '…; sleep'`, a unique token in its argv)
// appends a line to a marker file per execution; the test lists /proc the whole time and
// counts the copies holding the token. The job has one retry.
//
// * mid-command: the restarted server kills the orphaned copy, ends attempt 1 `interrupted`,
//   and only then runs the retry, once. Before: the orphan ran on (its own process group
//   survives the server), the retry started beside it — two copies at once.
// * crash between the claim and the spawn (TASKWARDEN_TEST_CRASH_AT=command-claimed): nothing
//   ran, attempt 1 ends `interrupted`, the retry is the one execution. Passed before too.
// * crash right after the spawn, before the process group was recorded
//   (TASKWARDEN_TEST_CRASH_AT=command-spawned): the copy is found by the mark in its
//   environment and killed before the retry. Before: two copies at once, as mid-command.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { CopyWatch, executions, killCopies } from './process-listing.ts';
import { onlyRunEnded, type ServerProcess, startServerProcess, until } from './server-process.ts';

/** First copy: long enough to be killed mid-run; any copy once the hold file is gone: a second. */
const SCRIPT = 'echo "$$" >> "$1"; if [ -e "$1.hold" ]; then sleep 30; else sleep 1; fi';
const RUN_LIMIT_MS = 60_000;

const dirs: string[] = [];
const servers: ServerProcess[] = [];
const tokens: string[] = [];
after(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await Promise.all(tokens.map(killCopies));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function start(data: string, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const server = await startServerProcess(data, env);
  servers.push(server);
  return server;
}

interface Scenario {
  /** A crash point the first server process kills itself at; none = the test kills it mid-command. */
  crashAt?: 'command-claimed' | 'command-spawned';
  /** Executions the marker file must count at the end: the retry's, and the first one's if it began. */
  executions: number;
}

async function crashAndRestart({ crashAt, executions: expected }: Scenario): Promise<void> {
  const data = await mkdtemp(join(tmpdir(), 'tw-command-copies-'));
  dirs.push(data);
  const token = `tw-copy-${newId()}`;
  tokens.push(token);
  const marker = join(data, 'executions');
  await writeFile(`${marker}.hold`, '');
  const watch = new CopyWatch(token);
  try {
    const first = await start(data, crashAt ? { TASKWARDEN_TEST_CRASH_AT: crashAt } : {});
    const command = await first.api('POST', '/api/v1/commands', {
      global: true,
      name: 'marked-sleep',
      argv: ['sh', '-c', SCRIPT, token, marker],
      runsOn: 'server',
    });
    assert.equal(command.status, 201, JSON.stringify(command.json));
    assert.equal((await first.api('POST', '/api/v1/orgs', { name: 'copies' })).status, 201);
    const task = await first.api('POST', '/api/v1/tasks?org=copies', {
      name: 'sleeper',
      jobs: [
        {
          name: 'sleep',
          module: 'command',
          params: { command: 'marked-sleep' },
          targets: { server: true },
          retry: { attempts: 1, backoff: '1s' },
        },
      ],
    });
    assert.equal(task.status, 201, JSON.stringify(task.json));
    // The crash may come before the reply: the run is looked up after the restart.
    const asked = first.api('POST', `/api/v1/tasks/${task.json.id}/runs`).catch(() => null);

    if (crashAt) {
      assert.equal(await first.exited, 'SIGKILL', `the server kills itself at ${crashAt}:\n${first.output()}`);
    } else {
      await until('the command to run', async () => (await executions(marker)) === 1 && (await watch.now()) === 1);
      first.child.kill('SIGKILL');
      await first.exited;
    }
    if (crashAt === 'command-spawned') await until('the orphaned copy to begin', async () => executions(marker));
    const orphans = await watch.now();
    assert.equal(orphans, crashAt === 'command-claimed' ? 0 : 1, 'copies left running by the dead server');
    await rm(`${marker}.hold`);

    const second = await start(data);
    await asked;
    const ended = await onlyRunEnded(second, task.json.id, RUN_LIMIT_MS);
    const { most, samples } = await watch.stop();
    assert.ok(samples > 20, `copies listed all along (${samples} listings)`);
    assert.equal(most, 1, 'never two copies at once');
    assert.equal(ended.status, 'finished');
    const [js] = (await second.api('GET', `/api/v1/runs/${ended.id}/jobstates`)).json.items;
    assert.deepEqual([js.status, js.attempt], ['finished', 2]);
    const logs = await second.api('GET', `/api/v1/jobstates/${js.id}/logs?limit=1000`);
    const lines: string[] = logs.json.items.map((l: { line: string }) => l.line);
    assert.ok(
      lines.some((line) => line.startsWith('attempt 1 failed (interrupted)')),
      `attempt 1 ended interrupted:\n${lines.join('\n')}`,
    );
    assert.equal(await executions(marker), expected, 'executions');
    assert.equal(await watch.now(), 0, 'nothing left running');
  } finally {
    await watch.stop();
  }
}

test(
  'kill -9 mid-command: the orphan is killed, attempt 1 ends interrupted, the retry runs once, never two at once',
  {
    timeout: 180_000,
  },
  () => crashAndRestart({ executions: 2 }),
);

test(
  'kill -9 between the claim and the spawn: nothing ran, the retry runs once',
  {
    timeout: 180_000,
  },
  () => crashAndRestart({ crashAt: 'command-claimed', executions: 1 }),
);

test(
  'kill -9 after the spawn, before its process group was recorded: that copy is killed before the retry',
  {
    timeout: 180_000,
  },
  () => crashAndRestart({ crashAt: 'command-spawned', executions: 2 }),
);
