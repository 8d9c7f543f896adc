// Real agents under different TZ values, one real server whose clock the test can move on
// (so a wait of hours between two zones takes seconds): a `once` at a wall time with
// tz "agent" starts on the agent in the earlier zone at its wall time, the other waits
// `local_time` until that wall time in its own zone, then starts. Also: the zone each
// agent reports, the admin's override, and the preview per zone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Clock, systemClock } from '../../src/core/clock.ts';
import { formatLocal } from '../../src/core/schedule/index.ts';
import type { JobstateView } from '../../src/protocol/jobstates.ts';
import { type AgentProcess, type FleetServer, startAgent, startFleetServer } from './e2e-support.ts';
import { waitFor } from './protocol-stub.ts';

/** The system clock, moved on by `shift` ms when the test says so (as hours passing). */
let shift = 0;
const clock: Clock = { ...systemClock, now: () => Date.now() + shift };

/** "2026-12-05T18:04:07": the wall time of `t` in `tz`, to the second. */
const wallIn = (t: number, tz: string) => formatLocal(t, tz).slice(0, 19).replace(' ', 'T');

describe('e2e: schedules in each agent local time', () => {
  let server: FleetServer;
  let paris: AgentProcess;
  let newYork: AgentProcess;

  before(async () => {
    server = await startFleetServer(['fleet'], 10, {}, { clock });
    paris = await server.startAgent({ name: 'paris', tz: 'Europe/Paris' });
    newYork = await server.startAgent({ name: 'new-york', tz: 'America/New_York' });
    await server.client.addCommand({ name: 'hello', argv: ['echo', 'hello'], runsOn: 'agent' });
  });
  after(async () => {
    await server.close();
  });

  test('each agent reports the zone of its TZ; GET /api/v1/agents/:id shows it', async () => {
    for (const [agent, zone] of [
      [paris, 'Europe/Paris'],
      [newYork, 'America/New_York'],
    ] as const) {
      const { json } = await server.call('GET', `/api/v1/agents/${agent.agentId}`);
      assert.deepEqual([json.timezone, json.reportedTimezone, json.timezoneOverridden], [zone, zone, false]);
    }
  });

  test('the earlier zone starts at its wall time, the other waits local_time until its own, then starts', async () => {
    // Paris is 6 h ahead of New York in December (5 or 7 h around the DST changes): the same
    // wall time comes to Paris first.
    const parisAt = Math.ceil((clock.now() + 4_000) / 1000) * 1000;
    const wall = wallIn(parisAt, 'Europe/Paris');
    const task = await server.client.createTask({
      name: 'local-hello',
      schedule: { kind: 'once', at: wall, tz: 'agent' },
      jobs: [{ name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['fleet'] } }],
    });
    const run = await waitForRun(task.id);
    assert.equal(Date.parse(run.fireAt), parisAt, "the run comes at the earliest zone's wall time");
    const of = (states: JobstateView[], agent: AgentProcess) => states.find((js) => js.agentId === agent.agentId);
    let states: JobstateView[] = [];
    await waitFor(
      async () => {
        states = await server.client.runJobstates(run.id);
        return of(states, paris)?.status === 'finished';
      },
      'the Paris agent to run its job',
      30_000,
    );
    assert.ok(Date.parse(of(states, paris)?.startedAt as string) >= parisAt, 'not before its wall time');
    const waiting = of(states, newYork);
    assert.deepEqual([waiting?.status, waiting?.reason], ['waiting', 'local_time']);
    const dueAt = Date.parse(waiting?.dueAt as string);
    assert.equal(wallIn(dueAt, 'America/New_York'), wall, "due at the same wall time on New York's clock");
    assert.ok(dueAt - parisAt >= 5 * 3_600_000, 'hours after Paris');
    const line = (await server.client.summary()).items.find((l) => l.taskId === task.id);
    assert.equal(line?.waitingLocalTime, 1);
    assert.match(line?.details ?? '', /1 waiting for local time/);

    // Hours pass: the server's clock moves on to 3 s before New York's wall time.
    shift += dueAt - clock.now() - 3_000;
    assert.equal(of(await server.client.runJobstates(run.id), newYork)?.status, 'waiting', 'not before its time');
    await waitFor(
      async () => of(await server.client.runJobstates(run.id), newYork)?.status === 'finished',
      'the New York agent to run its job at its wall time',
      30_000,
    );
    const ran = of(await server.client.runJobstates(run.id), newYork);
    assert.ok(Date.parse(ran?.startedAt as string) >= dueAt, 'started at or after its wall time');
    const runs = await server.client.listRuns({ taskId: task.id });
    assert.equal(runs.items.length, 1, 'one run for the firing');
  });

  test('an admin overrides the zone (it sticks over what the agent reports); a bad zone is refused', async () => {
    const path = `/api/v1/agents/${newYork.agentId}`;
    const bad = await server.call('PATCH', path, { timezone: 'Mars/Olympus' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /timezone/);
    const set = await server.call('PATCH', path, { timezone: 'Asia/Tokyo' });
    assert.equal(set.status, 200);
    assert.deepEqual(
      [set.json.timezone, set.json.reportedTimezone, set.json.timezoneOverridden],
      ['Asia/Tokyo', 'America/New_York', true],
    );
    // The machine moves to London (TZ changes, the agent restarts): the report is taken, the override stays.
    newYork.child.kill('SIGTERM');
    await newYork.exited;
    newYork = await startAgent({ server: server.url, dir: newYork.dir, name: 'new-york', tz: 'Europe/London' });
    await waitFor(
      async () => (await server.call('GET', path)).json.reportedTimezone === 'Europe/London',
      'the agent to report its new zone',
      30_000,
    );
    assert.equal((await server.call('GET', path)).json.timezone, 'Asia/Tokyo');
    const cleared = await server.call('PATCH', path, { timezone: null });
    assert.deepEqual([cleared.json.timezone, cleared.json.timezoneOverridden], ['Europe/London', false]);
  });

  test('the preview lists the firing per zone; a kind without wall times is refused naming tz', async () => {
    const preview = await server.call('POST', '/api/v1/schedules/preview', {
      schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'agent' },
      from: '2026-12-07T00:00:00Z',
      count: 1,
      zones: ['Europe/Paris', 'America/New_York'],
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.json));
    assert.deepEqual(preview.json.zones, [
      { tz: 'Europe/Paris', firings: ['2026-12-07T08:00:00.000Z'] },
      { tz: 'America/New_York', firings: ['2026-12-07T14:00:00.000Z'] },
    ]);
    const refused = await server.call('POST', '/api/v1/tasks', {
      name: 'bad-local',
      schedule: { kind: 'interval', every: '1h', tz: 'agent' },
      jobs: [{ name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['fleet'] } }],
    });
    assert.equal(refused.status, 400);
    assert.match(refused.json.error.message, /schedule\.tz.*"agent" needs wall times/);
  });

  async function waitForRun(taskId: string) {
    let found: Awaited<ReturnType<typeof server.client.listRuns>>['items'][number] | undefined;
    await waitFor(
      async () => {
        found = (await server.client.listRuns({ taskId })).items[0];
        return found !== undefined;
      },
      'the firing',
      30_000,
    );
    return found as NonNullable<typeof found>;
  }
});
