// Fault: a schedule that can never fire. Before, cron `0 0 31 2 *` or an RRULE for
// February 30th was saved and then waited forever in silence, and the preview showed an
// empty list; an RRULE whose INTERVAL never meets its BYMINUTE (MINUTELY;INTERVAL=2;
// BYMINUTE=1 from an even minute) even held the node up for seconds while the engine
// walked 400 years of minutes to find nothing. Now: refused at save (400 naming the
// field), the preview (API and CLI) says "never fires", and deciding it is cheap. The rule:
// a pattern never fires when no date matches it in a whole 400-year Gregorian cycle.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN, cliEnv } from '../support/cli.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

/** Patterns that match no date at all, and the field a refusal names. */
const NEVER = [
  { schedule: { kind: 'cron', expr: '0 0 31 2 *' }, field: 'schedule.expr' },
  { schedule: { kind: 'cron', expr: '0 0 0 30 2 *' }, field: 'schedule.expr' },
  { schedule: { kind: 'rrule', rule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' }, field: 'schedule.rule' },
  { schedule: { kind: 'rrule', rule: 'FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31;BYHOUR=3' }, field: 'schedule.rule' },
  { schedule: { kind: 'rrule', rule: 'FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1' }, field: 'schedule.rule' },
];

/** Rare but real: they must still be accepted. */
const RARE = [
  { kind: 'cron', expr: '0 0 29 2 *' }, // leap days
  { kind: 'cron', expr: '0 0 30 2 MON' }, // day-of-month OR day-of-week: every Monday of February
  { kind: 'rrule', rule: 'FREQ=MONTHLY;BYMONTH=2;BYDAY=5FR;BYHOUR=8' }, // a fifth Friday of February: 2036
  { kind: 'rrule', rule: 'FREQ=MINUTELY;INTERVAL=7;BYHOUR=0;BYMINUTE=0' }, // every 7th day at midnight
  { kind: 'monthly', day: 31, at: '02:00' }, // clamped to the month's last day
];

describe('schedules that can never fire', () => {
  let h: ServerHarness;
  let operator: string;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('never');
    operator = (await h.createUser(org.id, 'never-op', 'operator')).token;
    // The body schema is compiled at its route's first request (server/validation.ts): the
    // time bound below is about deciding a schedule, so that compilation is done first.
    h.app.compileAllSchemas();
  });
  after(() => h.cleanup());

  const task = (name: string, schedule: object) => ({
    name,
    schedule: { tz: 'UTC', ...schedule },
    jobs: [{ name: 'n', module: 'noop', targets: { server: true } }],
  });

  test('are refused at save: 400 naming the field, saying it never fires, quickly; nothing is written', async () => {
    for (const [i, { schedule, field }] of NEVER.entries()) {
      const started = performance.now();
      const reply = await h.expect(400, 'POST', '/api/v1/tasks', {
        token: operator,
        body: task(`never-${i}`, schedule),
      });
      const took = performance.now() - started;
      assert.equal(reply.json.error.code, 'invalid_input');
      assert.equal(reply.json.error.details?.field, field, JSON.stringify(reply.json));
      assert.match(reply.json.error.message, new RegExp(`^${field.replace('.', '\\.')}: never fires`));
      assert.ok(took < 1_000, `${JSON.stringify(schedule)} decided in ${Math.round(took)} ms`);
    }
    const tasks = await h.expect(200, 'GET', '/api/v1/tasks', { token: operator });
    assert.deepEqual(tasks.json.items, []);
  });

  test('rare but real patterns are still accepted', async () => {
    for (const [i, schedule] of RARE.entries()) {
      await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task(`rare-${i}`, schedule) });
    }
  });

  test('the API preview says "never fires" instead of an empty list', async () => {
    const preview = await h.expect(200, 'POST', '/api/v1/schedules/preview', {
      token: operator,
      body: { schedule: { kind: 'cron', expr: '0 0 31 2 *', tz: 'UTC' }, count: 5 },
    });
    assert.deepEqual(preview.json.firings, []);
    assert.equal(preview.json.neverFires, true);
    assert.match(preview.json.description, /^Never fires \(no date matches it/);
    const fine = await h.expect(200, 'POST', '/api/v1/schedules/preview', {
      token: operator,
      body: { schedule: { kind: 'cron', expr: '0 0 29 2 *', tz: 'UTC' }, from: '2026-01-01T00:00:00Z', count: 1 },
    });
    assert.deepEqual([fine.json.firings, fine.json.neverFires], [['2028-02-29T00:00:00.000Z'], false]);
  });

  test('the CLI preview says so too, in its table and in --json', () => {
    const preview = (...extra: string[]) =>
      spawnSync(
        process.execPath,
        [
          BIN,
          'schedule',
          'preview',
          '--schedule',
          '{"kind":"rrule","rule":"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}',
          ...extra,
        ],
        { encoding: 'utf8', env: cliEnv({ TZ: 'UTC' }), timeout: 60_000 },
      );
    const table = preview();
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /\(never fires: no date matches this schedule\)/);
    const json = preview('--json');
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).neverFires, true);
  });
});
