// The contact loop against a real HTTP stub, on a FakeClock: the backoff schedule while
// the server is away (and its reset), the long-poll wait and capacity it sends, the
// running list, the contact interval, and wakes that cut a wait short.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { Backoff, jitter } from '../../src/agent/backoff.ts';
import { ContactLoop } from '../../src/agent/contact-loop.ts';
import { JobBoard } from '../../src/agent/job-board.ts';
import { Spool } from '../../src/agent/spool.ts';
import { AgentClient } from '../../src/client/agent-client.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { createModuleRegistry, defineModule } from '../../src/modules/sdk/index.ts';
import { memoryLog, type ProtocolStub, startProtocolStub, waitFor } from './protocol-stub.ts';

const hold = defineModule({
  name: 'hold',
  title: 'Hold',
  runsOn: 'agent',
  paramsSchema: { type: 'object' },
  agent: {
    run: (ctx) =>
      new Promise((resolve) => {
        const done = () => resolve({ ok: false });
        if (ctx.signal.aborted) done();
        ctx.signal.addEventListener('abort', done, { once: true });
      }),
  },
});

const job = (jobstate: string) => ({
  jobstate,
  attempt: 1,
  module: 'hold',
  params: {},
  payload: null,
  timeoutSeconds: 3600,
});

/** A fake clock that also records how long each sleep was asked to be. */
class RecordingClock extends FakeClock {
  asked: number[] = [];

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.asked.push(ms);
    return super.sleep(ms, signal);
  }
}

/** Real time passes a little, so that a request that should not come has had its chance. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

describe('Backoff', () => {
  test('doubles from the base to the cap, each wait in the upper half, and starts over after reset', () => {
    const top = new Backoff(1000, 60_000, () => 0.999_999);
    assert.deepEqual(
      Array.from({ length: 8 }, () => top.next()),
      [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000],
    );
    const bottom = new Backoff(1000, 60_000, () => 0);
    assert.deepEqual([bottom.next(), bottom.next(), bottom.next()], [500, 1000, 2000]);
    bottom.reset();
    assert.equal(bottom.failing, false);
    assert.equal(bottom.next(), 500);
    assert.equal(
      jitter(1000, 0.1, () => 0),
      900,
    );
    assert.equal(
      jitter(1000, 0.1, () => 0.5),
      1000,
    );
  });
});

describe('contact loop', () => {
  let stub: ProtocolStub;
  let dir: string;
  let clock: RecordingClock;
  let stop: AbortController;
  let running: Promise<void>;
  let board: JobBoard | null;

  before(async () => {
    stub = await startProtocolStub();
  });
  after(() => stub.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskwarden-agent-loop-'));
    clock = new RecordingClock();
    stop = new AbortController();
    stub.down = false;
    stub.downStatus = 503;
    stub.refuseWakeUrl = false;
    stub.requests.length = 0;
    stub.contactReplies = [];
    board = null;
  });
  afterEach(async () => {
    stop.abort();
    await running;
    // Its jobs stopped and their spool files closed, as the agent's shutdown does: a file
    // left open would be closed by the garbage collector, with a warning, in a later test.
    await board?.shutdown(0);
    await rm(dir, { recursive: true, force: true });
  });

  function start(opts: { longPollSeconds?: number; concurrency?: number } = {}) {
    const client = new AgentClient({ server: stub.url, credential: { agentId: 'a1', secret: 's' } });
    let loop: ContactLoop | null = null;
    board = new JobBoard({
      concurrency: opts.concurrency ?? 2,
      spool: new Spool(join(dir, 'spool')),
      sender: client,
      clock,
      log: memoryLog().log,
      onSlotFree: () => loop?.wake(),
      jobDeps: {
        modules: createModuleRegistry([hold]),
        clock,
        log: memoryLog().log,
        modulesDir: join(dir, 'modules'),
        packageRoot: join(dir, 'packages'),
        fetchFile: () => Promise.reject(new Error('unused')),
      },
    });
    loop = new ContactLoop({
      client,
      board,
      clock,
      log: memoryLog().log,
      version: '1.2.3',
      modules: ['hold'],
      wakeUrl: 'http://127.0.0.1:9/',
      longPollSeconds: opts.longPollSeconds ?? 0,
      contactSeconds: 60,
      random: () => 0.5,
    });
    running = loop.run(stop.signal);
    return { loop };
  }

  const contacts = () => stub.requests.filter((r) => r.path === '/agent/v1/contact');

  /** Once the loop sleeps `ms`, moves the clock by `ms` - 1 (no contact may come), then by 1 (the next one comes). */
  async function expectNextContactAfter(ms: number) {
    const before = contacts().length;
    await waitFor(() => clock.asked.includes(ms), `a wait of ${ms} ms`);
    clock.asked = [];
    clock.advance(ms - 1);
    await settle();
    assert.equal(contacts().length, before, `no contact before ${ms} ms`);
    clock.advance(1);
    await waitFor(() => contacts().length > before, `the contact after ${ms} ms`);
  }

  test('while the server is away, tries again after 0.75, 1.5, 3, 6 … s up to 45 s; once back, every 60 s', async () => {
    stub.down = true;
    start();
    await waitFor(() => contacts().length === 1, 'the first contact');
    for (const ms of [750, 1500, 3000, 6000, 12_000, 24_000, 45_000, 45_000]) await expectNextContactAfter(ms);
    stub.down = false;
    await expectNextContactAfter(45_000);
    await expectNextContactAfter(60_000);
    stub.down = true;
    await expectNextContactAfter(60_000);
    await expectNextContactAfter(750);
  });

  test('a refused credential (401, 403) is retried with the same backoff: an agent may be enabled again', async () => {
    stub.down = true;
    stub.downStatus = 403;
    start();
    await waitFor(() => contacts().length === 1, 'the first contact');
    await expectNextContactAfter(750);
    stub.downStatus = 401;
    await expectNextContactAfter(1500);
    stub.down = false;
    await expectNextContactAfter(3000);
    await expectNextContactAfter(60_000);
  });

  test('after a failure the next contacts are short (no long poll) until one gets through', async () => {
    stub.down = true;
    start({ longPollSeconds: 60 });
    await waitFor(() => contacts().length === 1, 'the first contact');
    await expectNextContactAfter(750);
    stub.down = false;
    await expectNextContactAfter(1500);
    await expectNextContactAfter(1000);
    assert.deepEqual(
      contacts().map((c) => c.body.wait),
      [55, 0, 0, 55],
    );
    // Jobs in an answer that never came are offered again: the server is told which contacts follow a lost one.
    assert.deepEqual(
      contacts().map((c) => c.body.replyLost),
      [true, true, true, false],
    );
  });

  test('a wake URL the server refuses is dropped at once: the agent goes on pull-only', async () => {
    stub.refuseWakeUrl = true;
    start();
    await waitFor(() => contacts().length === 2, 'the contact again, without it');
    assert.deepEqual(
      contacts().map((c) => c.body.wakeUrl),
      ['http://127.0.0.1:9/', null],
    );
    await expectNextContactAfter(60_000);
    assert.equal(contacts()[2]?.body.wakeUrl, null);
  });

  test('a contact reports version, modules, wake URL, capacity, its zone and a jittered long-poll wait', async () => {
    start({ longPollSeconds: 60 });
    await waitFor(() => contacts().length >= 1, 'a contact');
    assert.deepEqual(contacts()[0]?.body, {
      version: '1.2.3',
      modules: ['hold'],
      running: [],
      replyLost: true,
      wait: 55,
      capacity: 2,
      wakeUrl: 'http://127.0.0.1:9/',
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    assert.equal(contacts()[0]?.headers.authorization, 'Bearer a1.s');
  });

  test('jobs handed out start at once; the next contact lists them as running and asks for what is left', async () => {
    stub.expect('js-1');
    stub.contactReplies = [{ jobs: [job('js-1')] }];
    start();
    await waitFor(() => contacts().length === 2, 'a second contact straight after the jobs');
    assert.deepEqual([contacts()[1]?.body.running, contacts()[1]?.body.capacity], [['js-1'], 1]);
    assert.deepEqual([contacts()[0]?.body.replyLost, contacts()[1]?.body.replyLost], [true, false]);
  });

  test('with every slot taken it does not long-poll, and a freed slot brings the next contact at once', async () => {
    stub.expect('js-2');
    stub.contactReplies = [{ jobs: [job('js-2')] }, { stop: ['js-2'] }];
    start({ longPollSeconds: 60, concurrency: 1 });
    await waitFor(() => contacts().length === 1, 'the first contact');
    await expectNextContactAfter(60_000);
    await waitFor(() => contacts().length === 3, 'the contact after the freed slot, without waiting');
    assert.deepEqual(
      contacts().map((c) => [c.body.capacity, c.body.wait, c.body.running]),
      [
        [1, 55, []],
        [0, 0, ['js-2']],
        [1, 55, []],
      ],
    );
  });

  test('a wake cuts the contact interval short', async () => {
    const { loop } = start();
    await waitFor(() => contacts().length === 1 && clock.asked.includes(60_000), 'the loop to wait');
    loop.wake();
    await waitFor(() => contacts().length === 2, 'the contact after the wake');
  });
});
