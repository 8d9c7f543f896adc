// Timeslots govern execution, not only preparation (issue 13, item 6): a prepared jobstate
// whose window closed before anyone claimed it waits for the next opening, and each task's
// timeslotEnd says what happens to work still running when its window closes.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Agent, Jobstate } from '../../src/core/model.ts';
import { defineModule } from '../../src/modules/sdk/index.ts';
import { makeAgent, makeCommand } from '../store/fixtures.ts';
import { type EngineHarness, serverJob, startEngineHarness } from '../support/engine.ts';

const MINUTE = 60_000;
/** 2026-12-01 is a Tuesday (day 1): the window is Tuesdays 08:00–08:42 UTC. */
const WINDOW = [{ day: 1, from: '08:00', to: '08:42' }];
const NEXT_OPENING = Date.parse('2026-12-08T08:00:00Z');

let h: EngineHarness;
let agent: Agent;
beforeEach(async () => {
  h = await startEngineHarness({ start: '2026-12-01T08:30:00Z' });
  agent = await h.store.agents.create(makeAgent(h.orgId, { tags: ['lab'], createdAt: h.clock.now() }));
  await h.store.commands.upsert(
    makeCommand(h.orgId, { name: 'hello', argv: ['echo', 'hi'], params: {}, runsOn: 'agent' }),
  );
});
afterEach(() => h.cleanup());

const agentJob = { name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['lab'] } };
const reload = async (js: { id: string }) => (await h.store.jobstates.get(js.id)) as Jobstate;

async function startRun(jobs: Record<string, unknown>[], extra: Record<string, unknown> = {}): Promise<Jobstate> {
  const task = await h.addTask({ schedule: { kind: 'manual' }, timeslots: WINDOW, jobs, ...extra });
  const run = await h.engine.runNow(task.id, 'tester');
  await h.settle();
  const [js] = await h.store.jobstates.allOfRun(run.id);
  return js as Jobstate;
}

describe('a prepared jobstate whose window closed is not handed out', () => {
  test('an agent asking at 08:42:37 for a job of a window that ended at 08:42 gets nothing; it waits for the next opening', async () => {
    const js = await startRun([agentJob]);
    assert.equal(js.status, 'prepared');
    h.clock.set('2026-12-01T08:42:37Z'); // no engine pass yet: the claim alone must refuse it
    assert.deepEqual(await h.engine.agents.claim(agent, 5), []);
    await h.settle();
    const parked = await reload(js);
    assert.deepEqual([parked.status, parked.reason, parked.dueAt], ['waiting', 'timeslot_closed', NEXT_OPENING]);
    assert.deepEqual(await h.engine.agents.claim(agent, 5), []);
    await h.advance(NEXT_OPENING - h.clock.now());
    assert.equal((await reload(js)).status, 'prepared');
    const [work] = await h.engine.agents.claim(agent, 5);
    assert.equal(work?.jobstate, js.id);
  });

  test('a server job prepared while the executor was busy does not start after its window closed', async () => {
    await h.cleanup();
    h = await startEngineHarness({ start: '2026-12-01T08:35:00Z', options: { executorConcurrency: 1 } });
    const busy = await h.addTask({ schedule: { kind: 'manual' }, jobs: [serverJob('noop', { sleepMs: 10 * MINUTE })] });
    await h.engine.runNow(busy.id, 'tester');
    await h.settle();
    const js = await startRun([serverJob('noop')]);
    assert.equal(js.status, 'prepared', 'the only executor slot is taken');
    await h.advance(10 * MINUTE); // 08:45: the slot frees, the window closed at 08:42
    const parked = await reload(js);
    assert.deepEqual([parked.status, parked.reason, parked.dueAt], ['waiting', 'timeslot_closed', NEXT_OPENING]);
    await h.advance(NEXT_OPENING - h.clock.now());
    assert.equal((await reload(js)).status, 'finished');
  });
});

/** Moves the clock minute by minute, so chunks end and start at their own times. */
async function stepTo(iso: string): Promise<void> {
  while (h.clock.now() < Date.parse(iso)) await h.advance(Math.min(MINUTE, Date.parse(iso) - h.clock.now()));
}

const runStatus = async (js: Jobstate) => (await h.store.runs.get(js.runId))?.status;
const logsOf = async (js: Jobstate) => (await h.store.logs.list(js.id, { limit: 100 })).items.map((l) => l.line);

describe('timeslotEnd: what running agent work does when the window closes', () => {
  async function runningAgentJob(timeslotEnd: string): Promise<Jobstate> {
    const js = await startRun([agentJob], { timeslotEnd });
    const [work] = await h.engine.agents.claim(agent, 1);
    assert.equal(work?.jobstate, js.id);
    await stepTo('2026-12-01T08:45:00Z');
    return reload(js);
  }
  const finishedEvent = () => [{ seq: 1, ts: h.clock.now(), type: 'finished' as const }];

  for (const timeslotEnd of ['finish', 'pause']) {
    test(`${timeslotEnd}: it runs on past the close and its outcome is taken (an agent job cannot pause)`, async () => {
      const js = await runningAgentJob(timeslotEnd);
      assert.deepEqual([js.status, js.reason], ['running', null]);
      assert.deepEqual(await h.engine.agents.reconcile(agent.id, [js.id], h.clock.now()), []);
      await h.engine.agents.applyEvents(agent.id, js.id, 1, finishedEvent());
      await h.settle();
      assert.equal((await reload(js)).status, 'finished');
      assert.equal(await runStatus(js), 'finished');
    });
  }

  test('cancel: it ends cancelled (timeslot_closed) at the close, and the agent is told to stop', async () => {
    const js = await runningAgentJob('cancel');
    assert.deepEqual(
      [js.status, js.reason, js.finishedAt],
      ['cancelled', 'timeslot_closed', Date.parse('2026-12-01T08:42:00Z')],
    );
    assert.deepEqual(await h.engine.agents.reconcile(agent.id, [js.id], h.clock.now()), [js.id], 'at its next contact');
    await assert.rejects(h.engine.agents.applyEvents(agent.id, js.id, 1, finishedEvent()), { code: 'jobstate_ended' });
    assert.match(
      (await logsOf(js)).join('\n'),
      /window closed at 2026-12-01T08:42:00.000Z: cancelled \(timeslotEnd cancel\)/,
    );
    assert.equal((await reload(js)).status, 'cancelled', 'a late outcome changes nothing');
  });
});

describe('timeslotEnd: what a running chunked server job does when the window closes', () => {
  /** Four chunks of 5 min from 08:30: the third one runs 08:40–08:45, across the 08:42 close. */
  const chunked = serverJob('noop', { chunks: 4, sleepMs: 5 * MINUTE });

  test('finish: it runs on past the close to its end', async () => {
    const js = await startRun([chunked], { timeslotEnd: 'finish' });
    await stepTo('2026-12-01T08:50:00Z');
    const done = await reload(js);
    assert.deepEqual([done.status, done.result], ['finished', { chunks: 4, attempt: 1 }]);
    assert.equal(done.finishedAt, Date.parse('2026-12-01T08:50:00Z'));
  });

  test('cancel: the chunk is aborted at the close and the job ends cancelled (timeslot_closed)', async () => {
    const js = await startRun([chunked], { timeslotEnd: 'cancel' });
    await stepTo('2026-12-01T08:42:00Z');
    const ended = await reload(js);
    assert.deepEqual([ended.status, ended.reason, ended.checkpoint], ['cancelled', 'timeslot_closed', { done: 2 }]);
    assert.equal(h.engine.busy, 0, 'its chunk was stopped');
    await stepTo('2026-12-01T09:00:00Z');
    assert.deepEqual([(await reload(js)).status, (await reload(js)).checkpoint], ['cancelled', { done: 2 }]);
    assert.equal(await runStatus(js), 'finished');
  });

  test('pause: it stops at its checkpoint after the close and resumes from it at the next opening', async () => {
    const js = await startRun([chunked], { timeslotEnd: 'pause' });
    // The chunk in progress at 08:42 ends (08:45) and checkpoints; 08:50 leaves room for a
    // store hiccup (a write retried at the next step) without changing what is asserted.
    await stepTo('2026-12-01T08:50:00Z');
    const paused = await reload(js);
    assert.deepEqual(
      [paused.status, paused.reason, paused.dueAt, paused.checkpoint],
      ['waiting', 'timeslot_closed', NEXT_OPENING, { done: 3 }],
    );
    assert.equal(h.engine.busy, 0);
    await h.advance(NEXT_OPENING - MINUTE - h.clock.now());
    assert.deepEqual([(await reload(js)).status, (await reload(js)).checkpoint], ['waiting', { done: 3 }]);
    await h.advance(MINUTE);
    assert.equal((await reload(js)).status, 'running', 'resumed at the opening');
    await h.advance(5 * MINUTE);
    const done = await reload(js);
    assert.deepEqual([done.status, done.result], ['finished', { chunks: 4, attempt: 1 }]);
    assert.equal(done.finishedAt, NEXT_OPENING + 5 * MINUTE, 'one chunk left to run, not four');
    assert.match(
      (await logsOf(js)).join('\n'),
      /pauses running work \(timeslotEnd pause\): waiting for the next opening/,
    );
  });
});

/** Works minute by minute until its deadline, then checkpoints: a module that honours the ask. */
const steady = defineModule<{ minutes: number }>({
  name: 'steady',
  title: 'Steady',
  runsOn: 'server',
  paramsSchema: { type: 'object', properties: { minutes: { type: 'integer' } }, required: ['minutes'] },
  async execute(ctx) {
    let done = (ctx.checkpoint as { done?: number } | undefined)?.done ?? 0;
    while (done < ctx.params.minutes && ctx.clock.monotonic() < ctx.deadline && !ctx.signal.aborted) {
      await ctx.clock.sleep(MINUTE, ctx.signal);
      done++;
    }
    return done < ctx.params.minutes
      ? { done: false, checkpoint: { done } }
      : { done: true, ok: true, result: { done } };
  },
});

test('pause: a chunk that honours its deadline checkpoints at the close itself', async () => {
  await h.cleanup();
  h = await startEngineHarness({ start: '2026-12-01T08:30:00Z', modules: [steady], options: { chunkMs: 3_600_000 } });
  const js = await startRun([serverJob('steady', { minutes: 30 })], { timeslotEnd: 'pause' });
  await stepTo('2026-12-01T08:42:00Z');
  const paused = await reload(js);
  assert.deepEqual([paused.status, paused.reason, paused.checkpoint], ['waiting', 'timeslot_closed', { done: 12 }]);
  await h.advance(NEXT_OPENING - h.clock.now());
  await stepTo('2026-12-08T08:18:00Z');
  const done = await reload(js);
  assert.deepEqual([done.status, done.result], ['finished', { done: 30 }]);
});
