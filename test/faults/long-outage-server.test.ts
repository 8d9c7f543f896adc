// Fault: a real server restarted after a 1 h outage with 10,000 schedules. The outage is
// the wall clock's doing: the tasks are written straight into the store at W, then the
// server starts with its clock an hour ahead (TASKWARDEN_TEST_CLOCK_SKEW_MS), as a server
// down from W to W + 1 h would find them. Each task must get exactly one `missed` record,
// one warning must give the totals, the catch-up runs must start at the default pace
// (10/s), and /health must keep answering quickly all along.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { newId } from '../../src/core/ids.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { writeTasks } from '../support/bulk-tasks.ts';
import { exitWithin, healthLatency, startServerProcess, until } from './server-process.ts';

const MINUTE = 60_000;
const OUTAGE_MS = 60 * MINUTE;
const SKIPPING = 9_900;
const CATCHING_UP = 100;
/** The default TASKWARDEN_CATCHUP_RATE. */
const RATE = 10;
/**
 * /health must answer within this much all along: a batch of firings (under 100 ms on a quiet
 * machine, up to 0.5 s on a loaded 2-core box) and the server's first, cold request.
 */
const HEALTH_LIMIT_MS = 2_000;

/**
 * Every 10 minutes from W − 5 min: firings at W + 5 min, W + 15 min … W + 55 min fall in the
 * outage (6 per task, all more than the misfire threshold late) and the next, W + 65 min,
 * comes after the test: nothing fires on time meanwhile.
 */
function everyTenMinutes(writtenAt: number, misfire: 'skip' | 'once') {
  return {
    schedule: { kind: 'interval', every: '10m', start: new Date(writtenAt - 5 * MINUTE).toISOString() },
    misfire,
    jobs: [{ name: 'noop', module: 'noop', targets: { server: true } }],
  };
}

async function writeSchedules(file: string, writtenAt: number): Promise<void> {
  const store = await openSqliteStore({ file });
  try {
    await store.migrate();
    const org = await store.orgs.create({ id: newId(), name: 'outage', createdAt: writtenAt });
    const base = {
      store,
      modules: createModuleRegistry(builtinModules({ testModules: true })),
      orgId: org.id,
      now: writtenAt,
    };
    await writeTasks({ ...base, def: everyTenMinutes(writtenAt, 'skip'), count: SKIPPING });
    await writeTasks({ ...base, def: everyTenMinutes(writtenAt, 'once'), count: CATCHING_UP });
  } finally {
    await store.close();
  }
}

interface MissedRow {
  tasks: number;
  runs: number;
  skipCount: number;
  onceCount: number;
}

test('10,000 schedules after a 1 h outage: one missed record each, one warning, catch-up at 10/s, /health quick', {
  timeout: 300_000,
}, async () => {
  const data = await mkdtemp(join(tmpdir(), 'tw-outage-'));
  const file = join(data, 'taskwarden.db');
  const writtenAt = Date.now();
  await writeSchedules(file, writtenAt);
  const server = await startServerProcess(data, { TASKWARDEN_TEST_CLOCK_SKEW_MS: String(OUTAGE_MS) });
  const db = new Database(file, { readonly: true });
  try {
    // /health, probed back to back from the moment the server listens until the last catch-up
    // started; each probe notes whether the firing was still under way (its warning not out yet).
    const probes: { ms: number; whileFiring: boolean }[] = [];
    const startedCatchUps = () =>
      (
        db.prepare(`select count(*) as n from runs where reason = 'catch-up' and started_at is not null`).get() as {
          n: number;
        }
      ).n;
    await until(
      'every catch-up run to start',
      async () => {
        const ms = await healthLatency(server.url, 30_000);
        probes.push({ ms, whileFiring: !server.output().includes('missed firings') });
        return startedCatchUps() === CATCHING_UP;
      },
      180_000,
    );

    // Exactly one missed record per task, with its count: 6 firings dropped (skip), 5 (once: the latest caught up).
    const missed = db
      .prepare(
        `select count(distinct r.task_id) as tasks, count(*) as runs,
                sum(case when t.misfire = 'skip' and r.missed_count = 6 then 1 else 0 end) as skipCount,
                sum(case when t.misfire = 'once' and r.missed_count = 5 then 1 else 0 end) as onceCount
         from runs r join tasks t on t.id = r.task_id where r.status = 'missed'`,
      )
      .get() as MissedRow;
    assert.deepEqual(missed, { tasks: 10_000, runs: 10_000, skipCount: SKIPPING, onceCount: CATCHING_UP });
    const others = db.prepare(`select reason, count(*) as n from runs where status <> 'missed' group by reason`);
    assert.deepEqual(
      (others.all() as { reason: string; n: number }[]).map((row) => [row.reason, row.n]),
      [['catch-up', CATCHING_UP]],
      'no run but the catch-ups and the missed records',
    );

    // One warning with the totals.
    const warnings = server
      .output()
      .split('\n')
      .filter((line) => line.includes('missed firings'));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] as string, /10000 tasks missed firings/);
    assert.match(warnings[0] as string, /59900 firings dropped/);
    assert.match(warnings[0] as string, /100 catch-up runs, starting at up to 10\/s/);

    // The catch-ups start at the pace: 100 of them take about 9.9 s (the first may start a little
    // after its slot), and no 1 s holds 2 × RATE.
    const starts = (
      db.prepare(`select started_at as at from runs where reason = 'catch-up' order by started_at`).all() as {
        at: number;
      }[]
    ).map((row) => row.at);
    const span = (starts.at(-1) as number) - (starts[0] as number);
    assert.ok(span >= (0.9 * ((CATCHING_UP - 1) * 1000)) / RATE, `the catch-ups started over ${span} ms`);
    for (let i = 0; i + 2 * RATE < starts.length; i++) {
      const window = (starts[i + 2 * RATE] as number) - (starts[i] as number);
      assert.ok(window >= 1000, `${2 * RATE + 1} catch-ups started within ${window} ms`);
    }

    // Checked last, so that a run on a server that stalls still shows the rest.
    const slowest = Math.round(Math.max(...probes.map((probe) => probe.ms)));
    const whileFiring = probes.filter((probe) => probe.whileFiring).length;
    process.stdout.write(
      `# /health: ${probes.length} probes (${whileFiring} while the 10,000 fired), slowest ${slowest} ms; ` +
        `catch-ups over ${span} ms\n`,
    );
    assert.ok(whileFiring >= 5, `/health answered ${whileFiring} times while the 10,000 triggers fired`);
    assert.ok(
      slowest <= HEALTH_LIMIT_MS,
      `/health answered within ${HEALTH_LIMIT_MS} ms all along: slowest ${slowest} ms`,
    );
  } finally {
    db.close();
    server.child.kill('SIGTERM');
    await exitWithin(server, 20_000);
    await rm(data, { recursive: true, force: true });
  }
});
