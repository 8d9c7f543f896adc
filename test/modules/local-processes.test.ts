// LocalProcesses on /proc, with real processes: a recorded group is killed whole while its
// leader is the recorded process, a program is found by its mark when its group was never
// recorded, SIGTERM ignored ends in SIGKILL, and a recycled pid is never signalled.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '../../src/core/ids.ts';
import { PROCESS_MARK_VARIABLE, type RecordedGroup } from '../../src/core/ports/processes.ts';
import { localProcesses } from '../../src/server/local-processes.ts';

const local = localProcesses();
const started: ChildProcess[] = [];
after(() => {
  for (const child of started) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Gone.
    }
  }
});

/** `sh -c script` as the leader of its own group, with `mark` in its environment. */
async function program(script: string, mark: string): Promise<{ pid: number; group: RecordedGroup }> {
  const child = spawn('sh', ['-c', script], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env['PATH'], [PROCESS_MARK_VARIABLE]: mark },
  });
  started.push(child);
  const pid = child.pid as number;
  const leader = local.identify(pid);
  assert.ok(leader, 'the program runs');
  // Let the shell fork what it runs.
  await sleep(100);
  return { pid, group: { pgid: pid, startTicks: leader.startTicks, mark } };
}

describe('local processes (/proc)', { skip: local.machine === null ? 'no /proc here' : false }, () => {
  test('knows this machine and this process', () => {
    assert.ok(local.machine?.hostname);
    assert.match(local.machine?.bootId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(local.identify(process.pid), local.self());
    assert.equal(local.identify(2 ** 22 + 1), null, 'no such pid');
  });

  test('a recorded group is killed whole, what it forked included', async () => {
    const { pid, group } = await program('sleep 30 & sleep 30 & wait', newId());
    const stopped = await local.stopGroup({ ...group, mark: 'not-this-one' }, 1_000);
    assert.ok(stopped.found >= 3, `the shell and its two sleeps (${stopped.found})`);
    assert.deepEqual(stopped.survivors, []);
    assert.equal(local.identify(pid), null);
  });

  test('a program whose group was never recorded is found by its mark', async () => {
    const mark = newId();
    const { pid } = await program('sleep 30', mark);
    const stopped = await local.stopGroup({ pgid: null, startTicks: null, mark }, 1_000);
    assert.ok(stopped.found >= 1, 'the shell (and its sleep, unless the shell exec-ed it)');
    assert.equal(local.identify(pid), null);
  });

  test('SIGTERM ignored: SIGKILL after the grace', async () => {
    const { pid, group } = await program('trap "" TERM; sleep 30; sleep 30', newId());
    const began = performance.now();
    const stopped = await local.stopGroup(group, 500);
    assert.ok(performance.now() - began >= 450, 'it waited out the grace');
    assert.deepEqual(stopped.survivors, []);
    assert.equal(local.identify(pid), null);
  });

  test('a recycled pid is never signalled: another start time and no mark is not ours', async () => {
    const { pid, group } = await program('sleep 30', newId());
    // What a record of an earlier process that held this pid looks like.
    const earlier = { pgid: pid, startTicks: (group.startTicks as number) - 1, mark: newId() };
    const stopped = await local.stopGroup(earlier, 200);
    assert.deepEqual(stopped, { found: 0, survivors: [] });
    assert.ok(local.identify(pid), 'still running');
    await local.stopGroup(group, 200);
  });
});
