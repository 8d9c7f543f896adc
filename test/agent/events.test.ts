// Job events on their way to the server, over real sockets to a protocol stub: batching,
// the on-disk spool (order, fsync'd last event, torn lines), resending after a restart
// with each seq applied once, and the 409/410 answers that drop a spool and stop a job.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { EventChannel } from '../../src/agent/event-channel.ts';
import type { JobDeps } from '../../src/agent/job.ts';
import { JobBoard } from '../../src/agent/job-board.ts';
import { Spool } from '../../src/agent/spool.ts';
import { AgentClient } from '../../src/client/agent-client.ts';
import { FakeClock } from '../../src/core/clock.ts';
import type { AgentJobContext } from '../../src/core/ports/module.ts';
import { createModuleRegistry, defineModule } from '../../src/modules/sdk/index.ts';
import type { AgentJob } from '../../src/protocol/agent.ts';
import { memoryLog, type ProtocolStub, startProtocolStub, waitFor } from './protocol-stub.ts';

/** A module that logs, then waits for its stop signal; `current` lets a test make it log more. */
let current: AgentJobContext<Record<string, unknown>> | null = null;
const waiting = defineModule({
  name: 'waiting',
  title: 'Waiting',
  runsOn: 'agent',
  paramsSchema: { type: 'object' },
  agent: {
    async run(ctx) {
      current = ctx;
      ctx.log('working');
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return { ok: false };
    },
  },
});
/** A module with strict params whose agent half throws. */
const throwing = defineModule({
  name: 'throwing',
  title: 'Throwing',
  runsOn: 'agent',
  paramsSchema: { type: 'object', properties: { n: { type: 'integer' } }, additionalProperties: false },
  agent: {
    run: () => Promise.reject(new Error('boom')),
  },
});
const modules = createModuleRegistry([waiting, throwing]);

function job(jobstate: string, extra: Partial<AgentJob> = {}): AgentJob {
  return { jobstate, attempt: 1, module: 'waiting', params: {}, payload: null, timeoutSeconds: 60, ...extra };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('agent events and spool', () => {
  let stub: ProtocolStub;
  let dir: string;
  let client: AgentClient;

  before(async () => {
    stub = await startProtocolStub();
    client = new AgentClient({ server: stub.url, credential: { agentId: 'a1', secret: 's' } });
  });
  after(() => stub.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskwarden-agent-events-'));
    stub.down = false;
    stub.requests.length = 0;
  });

  function channel(jobstate: string, clock: FakeClock, spool = new Spool(join(dir, 'spool'))) {
    return spool
      .open(jobstate, 1)
      .then((file) => new EventChannel({ jobstate, attempt: 1, file, sender: client, clock, log: memoryLog().log }));
  }

  function board(clock: FakeClock, onSlotFree = () => {}, pauses?: JobDeps['pauses']) {
    return new JobBoard({
      concurrency: 2,
      spool: new Spool(join(dir, 'spool')),
      sender: client,
      clock,
      log: memoryLog().log,
      onSlotFree,
      jobDeps: {
        modules,
        clock,
        pauses,
        log: memoryLog().log,
        modulesDir: join(dir, 'modules'),
        packageRoot: join(dir, 'packages'),
        fetchFile: () => Promise.reject(new Error('unused')),
      },
    });
  }

  test('events are numbered, batched every 500 ms or 100 lines, spooled, and the spool goes once the last is in', async () => {
    stub.expect('js-1');
    const clock = new FakeClock();
    const ch = await channel('js-1', clock);
    ch.emit({ type: 'started' });
    ch.emit({ type: 'log', stream: 'stdout', line: 'one' });
    await tick();
    assert.equal(stub.requests.length, 0, 'nothing is sent before the batch is due');
    clock.advance(500);
    await waitFor(() => stub.seqs('js-1').length === 2, 'the first batch');
    assert.equal(stub.requests.length, 1);
    assert.deepEqual(
      stub.requests[0]?.body.events.map((e: { type: string }) => e.type),
      ['started', 'log'],
    );

    for (let i = 0; i < 100; i++) ch.emit({ type: 'log', stream: 'stdout', line: `line ${i}` });
    await waitFor(() => stub.seqs('js-1').length === 102, 'a full batch of 100 lines, without waiting');
    assert.equal(stub.requests.length, 2);

    ch.emit({ type: 'finished', result: { exitCode: 0 } });
    assert.equal(await ch.ended, 'delivered');
    assert.deepEqual(
      stub.seqs('js-1'),
      Array.from({ length: 103 }, (_, i) => i + 1),
    );
    assert.deepEqual(await readdir(join(dir, 'spool')), [], 'the delivered spool is removed');
  });

  test('while the server is away events wait on disk; after a restart they are resent in order, each applied once', async () => {
    stub.expect('js-2');
    const first = new FakeClock();
    const ch = await channel('js-2', first);
    ch.emit({ type: 'started' });
    ch.emit({ type: 'log', stream: 'stdout', line: 'before the outage' });
    first.advance(500);
    await waitFor(() => stub.seqs('js-2').length === 2, 'delivery before the outage');

    stub.down = true;
    for (const line of ['a', 'b', 'c']) ch.emit({ type: 'log', stream: 'stdout', line });
    ch.emit({ type: 'finished' });
    await waitFor(() => stub.requests.length === 2, 'the failed send');
    const spooled = (await readFile(join(dir, 'spool', 'js-2-1.jsonl'), 'utf8')).trim().split('\n');
    assert.deepEqual(
      spooled.map((l) => JSON.parse(l).seq),
      [1, 2, 3, 4, 5, 6],
      'every event is on disk, in order, the delivered ones too',
    );
    assert.equal(ch.open, true);
    // The process dies here: nothing more is sent; its file is closed, as the kernel would on a crash.
    await ch.park();

    const restarted = board(new FakeClock());
    await restarted.recover();
    assert.deepEqual(restarted.runningIds(), ['js-2'], 'an outcome not yet delivered: still reported running');
    stub.down = false;
    restarted.nudge();
    await waitFor(() => stub.seqs('js-2').length === 6, 'the resend');
    assert.deepEqual(stub.seqs('js-2'), [1, 2, 3, 4, 5, 6], 'no seq applied twice, none lost');
    assert.deepEqual(
      stub.ledger.get('js-2')?.applied.map((e) => (e.type === 'log' ? e.line : e.type)),
      ['started', 'before the outage', 'a', 'b', 'c', 'finished'],
    );
    await waitFor(async () => (await readdir(join(dir, 'spool'))).length === 0, 'the spool removed');
    assert.deepEqual(restarted.runningIds(), []);
  });

  test('a write torn by a crash: the readable events are resent, the rest left out', async () => {
    stub.expect('js-3');
    const lines = [
      JSON.stringify({ seq: 1, ts: 1, type: 'started' }),
      JSON.stringify({ seq: 2, ts: 2, type: 'log', stream: 'stdout', line: 'kept' }),
      '{"seq":3,"ts":3,"type":"lo',
    ];
    await rm(join(dir, 'spool'), { recursive: true, force: true });
    const spool = new Spool(join(dir, 'spool'));
    await (await spool.open('js-3', 1)).close();
    await writeFile(join(dir, 'spool', 'js-3-1.jsonl'), lines.join('\n'));
    const [recovered] = await spool.recover();
    assert.deepEqual(
      { events: recovered?.events.map((e) => e.seq), unreadable: recovered?.unreadable },
      { events: [1, 2], unreadable: 1 },
    );
    const restarted = board(new FakeClock());
    await restarted.recover();
    assert.deepEqual(stub.seqs('js-3'), [1, 2], 'sent before recover returns, so before the first contact');
    // A process that died mid-job left no outcome: the job is not reported running, the server calls it lost.
    assert.deepEqual(restarted.runningIds(), []);
    await waitFor(async () => (await readdir(join(dir, 'spool'))).length === 0, 'the spool removed');
  });

  test('409 (an older attempt) drops the spool; 410 (ended) drops it and stops the job without a last event', async () => {
    stub.expect('js-4', 2);
    const clock = new FakeClock();
    const stale = await channel('js-4', clock);
    stale.emit({ type: 'started' });
    clock.advance(500);
    assert.equal(await stale.ended, 'stale');
    assert.deepEqual(stub.seqs('js-4'), []);

    stub.expect('js-5');
    let freed = 0;
    const b = board(clock, () => freed++);
    await b.start([job('js-5')]);
    assert.deepEqual(b.runningIds(), ['js-5']);
    assert.equal(b.freeSlots(), 1);
    await waitFor(() => current?.jobstate.id === 'js-5', 'the module to run');
    clock.advance(500);
    await waitFor(() => stub.seqs('js-5').length === 2, 'started and the first line');
    const running = current;
    stub.end('js-5');
    running?.log('after the server ended it');
    clock.advance(500);
    await waitFor(() => freed === 1, 'the job stopped by the 410');
    assert.equal(running?.signal.reason, 'cancelled');
    await waitFor(() => b.runningIds().length === 0, 'the channel dropped');
    assert.deepEqual(stub.seqs('js-5'), [1, 2], 'nothing after the 410 was applied, no last event sent');
    assert.deepEqual(await readdir(join(dir, 'spool')), []);
  });

  test("the contact reply's stop list aborts the job; the job's own timeout reports `timeout`", async () => {
    stub.expect('js-6');
    stub.expect('js-7');
    const clock = new FakeClock();
    let freed = 0;
    const b = board(clock, () => freed++);
    await b.start([job('js-6'), job('js-7', { timeoutSeconds: 5 })]);
    assert.equal(b.freeSlots(), 0);
    b.stop(['js-6']);
    await waitFor(() => freed === 1, 'the stopped job to end');
    clock.advance(5000);
    await waitFor(() => freed === 2, 'the timed-out job to end');
    await waitFor(() => b.runningIds().length === 0, 'all events in');
    assert.deepEqual(stub.seqs('js-6'), [], 'a stopped job reports nothing more');
    const last = stub.ledger.get('js-7')?.applied.at(-1);
    assert.deepEqual(
      { type: last?.type, reason: last && 'reason' in last ? last.reason : null },
      {
        type: 'error',
        reason: 'timeout',
      },
    );
  });

  test('an attempt offered again after it ran here is not run twice; its next attempt runs', async () => {
    stub.expect('js-9');
    const clock = new FakeClock();
    let freed = 0;
    const b = board(clock, () => freed++);
    await b.start([job('js-9')]);
    b.stop(['js-9']);
    await waitFor(() => freed === 1, 'the job to end');
    await b.start([job('js-9')]);
    assert.deepEqual(b.runningIds(), [], 'attempt 1 is not started again');
    assert.equal(b.freeSlots(), 2);
    stub.expect('js-9');
    await b.start([job('js-9', { attempt: 2 })]);
    assert.deepEqual(b.runningIds(), ['js-9']);
    b.stop(['js-9']);
    await waitFor(() => freed === 2, 'attempt 2 to end');
  });

  test("time the agent did not run (stopped, suspended) does not count toward a job's timeout", async () => {
    stub.expect('js-12');
    const clock = new FakeClock();
    let paused = 0;
    let freed = 0;
    const b = board(clock, () => freed++, { pausedSince: () => paused });
    await b.start([job('js-12', { timeoutSeconds: 5 })]);
    await waitFor(() => current?.jobstate.id === 'js-12', 'the module to run');
    paused = 4000; // of the next 5 s, the agent ran 1 s
    clock.advance(5000);
    await tick();
    assert.equal(current?.signal.aborted, false, 'not timed out after 1 s of its time');
    clock.advance(3999);
    await tick();
    assert.equal(current?.signal.aborted, false);
    clock.advance(1);
    await waitFor(() => freed === 1, 'the timed-out job to end');
    assert.equal(current?.signal.reason, 'timeout');
    await waitFor(() => b.runningIds().length === 0, 'all events in');
    const applied = stub.ledger.get('js-12')?.applied ?? [];
    const said = applied.flatMap((e) => (e.type === 'log' ? [e.line] : e.type === 'error' ? [e.reason] : []));
    assert.deepEqual(said.slice(-2), [
      'stopped: ran longer than its timeout of 5s (not counting 4s the agent did not run)',
      'timeout',
    ]);
  });

  test('an unknown module, bad params and a module that throws each end the job `error` with why', async () => {
    for (const id of ['js-9', 'js-10', 'js-11']) stub.expect(id);
    const b = board(new FakeClock());
    await b.start([
      job('js-9', { module: 'nope' }),
      job('js-10', { module: 'throwing', params: { x: 1 } }),
      job('js-11', { module: 'throwing', params: { n: 1 } }),
    ]);
    await waitFor(() => b.runningIds().length === 0, 'the three outcomes delivered');
    const told = (id: string) =>
      stub.ledger.get(id)?.applied.flatMap((e) => (e.type === 'log' ? [e.line] : e.type === 'error' ? [e.reason] : []));
    assert.deepEqual(told('js-9'), ['module "nope" cannot run on this agent', 'module_unknown']);
    assert.deepEqual(told('js-10'), ['params.x: is not a known property', 'module_failed']);
    assert.deepEqual(told('js-11'), ['module "throwing" failed: boom', 'module_failed']);
  });

  test('shutdown stops running jobs as interrupted; with the server away their events stay fsynced in the spool', async () => {
    stub.expect('js-8');
    const clock = new FakeClock();
    const b = board(clock);
    await b.start([job('js-8')]);
    await waitFor(() => current?.jobstate.id === 'js-8', 'the module to run');
    stub.down = true;
    const stopping = b.shutdown(2000);
    await waitFor(() => stub.requests.length > 0, 'the attempt to send');
    await tick();
    clock.advance(2000);
    await stopping;
    const spooled = (await readFile(join(dir, 'spool', 'js-8-1.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      spooled.map((e) => [e.type, e.reason ?? e.line ?? null]),
      [
        ['started', null],
        ['log', 'working'],
        ['log', 'stopped: the agent is shutting down'],
        ['error', 'interrupted'],
      ],
    );
  });
});
