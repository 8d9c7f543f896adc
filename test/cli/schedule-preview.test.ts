// `taskwarden schedule preview` through the real binary, offline.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BIN, cliEnv } from '../support/cli.ts';

function taskwarden(...args: string[]) {
  const res = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cliEnv({ TZ: 'UTC' }) });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const MONTHLY = JSON.stringify({ kind: 'monthly', nth: 2, weekday: 'tue', at: '09:00', tz: 'Europe/Paris' });

test('--json prints the firings in UTC and the description', () => {
  const res = taskwarden(
    'schedule',
    'preview',
    '--schedule',
    MONTHLY,
    '--from',
    '2026-12-01T00:00:00Z',
    '--count',
    '3',
    '--json',
  );
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), {
    firings: ['2026-12-08T08:00:00.000Z', '2027-01-12T08:00:00.000Z', '2027-02-09T08:00:00.000Z'],
    description: 'At 09:00 on the second Tuesday of every month, Europe/Paris',
    neverFires: false,
  });
  assert.equal(res.stderr, '');
});

test('timeslots, blackouts and the active range are applied and described', () => {
  const res = taskwarden(
    'schedule',
    'preview',
    '--schedule',
    '{"kind":"cron","expr":"0 9 * * *","tz":"Europe/Paris"}',
    '--timeslots',
    '[{"day":0,"from":"08:00","to":"12:00"},{"day":5,"from":"00:00","to":"24:00"},{"day":6,"from":"00:00","to":"24:00"}]',
    '--blackouts',
    '[{"from":"2026-12-26T00:00:00+01:00","to":"2026-12-27T00:00:00+01:00"}]',
    '--active-till',
    '2027-01-04T00:00:00+01:00',
    '--from',
    '2026-12-21T00:00:00+01:00',
    '--json',
  );
  assert.equal(res.code, 0, res.stderr);
  const { firings, description } = JSON.parse(res.stdout);
  // Mon 21 09:00; Tue–Fri deferred to Sat 26, blacked out → Sun 27 00:00; Sun 27 09:00; Mon 28 09:00;
  // Tue 29 – Fri 1 → Sat 2 00:00; Sat 2 09:00; Sun 3 09:00; then activeTill.
  assert.deepEqual(firings, [
    '2026-12-21T08:00:00.000Z',
    '2026-12-26T23:00:00.000Z',
    '2026-12-27T08:00:00.000Z',
    '2026-12-28T08:00:00.000Z',
    '2027-01-01T23:00:00.000Z',
    '2027-01-02T08:00:00.000Z',
    '2027-01-03T08:00:00.000Z',
  ]);
  assert.match(
    description,
    /^At 09:00 every day, Europe\/Paris; within Mon 08:00–12:00, Sat 00:00–Sun 24:00; except .*; active until 2027-01-04 00:00$/,
  );
});

test('the table shows local time with its offset (DST visible) and UTC, then the description', () => {
  const res = taskwarden(
    'schedule',
    'preview',
    '--schedule',
    '{"kind":"cron","expr":"30 2 * * *","tz":"Europe/Paris"}',
    '--from',
    '2026-03-28T00:00:00Z',
    '--count',
    '3',
  );
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.trimEnd().split('\n');
  assert.match(lines[0] as string, /#\s+Europe\/Paris\s+UTC/);
  assert.match(lines[1] as string, /1\s+2026-03-28 02:30:00 \+01:00\s+2026-03-28T01:30:00\.000Z/);
  assert.match(lines[2] as string, /2\s+2026-03-29 03:00:00 \+02:00\s+2026-03-29T01:00:00\.000Z/);
  assert.match(lines[3] as string, /3\s+2026-03-30 02:30:00 \+02:00\s+2026-03-30T00:30:00\.000Z/);
  assert.equal(lines[4], '');
  assert.equal(lines[5], 'At 02:30 every day, Europe/Paris');
});

test('--count defaults to 10', () => {
  const res = taskwarden('schedule', 'preview', '--schedule', '{"kind":"interval","every":"1h"}', '--json');
  assert.equal(res.code, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).firings.length, 10);
});

for (const [name, args, message] of [
  ['bad JSON', ['--schedule', '{kind'], /--schedule: is not valid JSON/],
  ['bad schedule', ['--schedule', '{"kind":"weekly","days":["mon"],"at":"25:00"}'], /schedule\.at: /],
  ['unknown zone', ['--schedule', '{"kind":"cron","expr":"0 2 * * *","tz":"Mars/Olympus"}'], /schedule\.tz: /],
  [
    'bad timeslots',
    ['--schedule', '{"kind":"manual"}', '--timeslots', '[{"day":0,"from":"10:00","to":"09:00"}]'],
    /timeslots\[0\]\.to: /,
  ],
  ['bad --from', ['--schedule', '{"kind":"manual"}', '--from', 'yesterday'], /--from: /],
  ['count above 1000', ['--schedule', '{"kind":"manual"}', '--count', '1001'], /count: /],
  ['missing --schedule', [], /--schedule/],
] as const) {
  test(`exit 2 and one line on stderr: ${name}`, () => {
    const res = taskwarden('schedule', 'preview', ...args);
    assert.equal(res.code, 2);
    assert.equal(res.stdout, '');
    assert.equal(res.stderr.trimEnd().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /^taskwarden: /);
    assert.match(res.stderr, message);
  });
}

test('--zones lists the firing of a tz "agent" schedule per zone (table and --json)', () => {
  const args = [
    'schedule',
    'preview',
    '--schedule',
    '{"kind":"cron","expr":"0 9 * * *","tz":"agent","fallbackTz":"UTC"}',
    '--zones',
    'Europe/Paris,America/New_York',
    '--from',
    '2026-12-07T00:00:00Z',
    '--count',
    '1',
  ];
  const json = taskwarden(...args, '--json');
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).zones, [
    { tz: 'Europe/Paris', firings: ['2026-12-07T08:00:00.000Z'] },
    { tz: 'America/New_York', firings: ['2026-12-07T14:00:00.000Z'] },
  ]);
  const table = taskwarden(...args);
  assert.equal(table.code, 0, table.stderr);
  assert.match(
    table.stdout,
    /In America\/New_York:\n.*\n\s+1 {2}2026-12-07 09:00:00 -05:00 {2}2026-12-07T14:00:00.000Z/,
  );
  const bad = taskwarden('schedule', 'preview', '--schedule', '{"kind":"interval","every":"1h","tz":"agent"}');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /schedule\.tz: "agent" needs wall times/);
});
