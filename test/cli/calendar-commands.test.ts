// `taskwarden calendar apply|list|delete` (the real binary) against a real server: a YAML
// file of two calendars created, applied again to update one by name, a bad day refused
// naming its field (exit 2), deletion refused while a task lists the calendar.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../src/server/start.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { type RealServer, startRealServer } from '../support/server.ts';

let real: RealServer;
let server: RunningServer;
let dir: string;
let token: string;

function cli(args: string[], as = token): Promise<CliResult> {
  return runCli([...args, '--server', server.url, '--token', as]);
}

before(async () => {
  real = await startRealServer('tw-cli-calendars-', { TASKWARDEN_TEST_MODULES: '1' });
  ({ server, dir } = real);
  const admin = real.adminToken;
  assert.equal((await cli(['org', 'create', 'acme'], admin)).code, 0);
  const user = await cli(['user', 'create', 'ops', '--org', 'acme', '--role', 'org-admin', '--json'], admin);
  token = (await cli(['token', 'create', '--user', JSON.parse(user.stdout).id, '--name', 'cli'], admin)).stdout.trim();
});

after(() => real.close());

test('calendar apply creates then updates by name; list; delete refused while used', async () => {
  const file = join(dir, 'calendars.yaml');
  await writeFile(
    file,
    [
      '- name: holidays',
      '  yearly: ["12-25", "01-01"]',
      '  blackouts:',
      '    - {from: "2026-12-24T00:00:00+01:00", to: "2026-12-27T00:00:00+01:00"}',
      '- name: freeze',
      '  yearly: ["12-31"]',
      '',
    ].join('\n'),
  );
  const created = await cli(['calendar', 'apply', '-f', file]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /created calendar holidays\ncreated calendar freeze/);

  await writeFile(file, 'name: freeze\nyearly: ["12-30", "12-31"]\n');
  const updated = await cli(['calendar', 'apply', '-f', file]);
  assert.equal(updated.code, 0, updated.stderr);
  assert.match(updated.stdout, /updated calendar freeze/);
  const listed = JSON.parse((await cli(['calendar', 'list', '--json'])).stdout);
  assert.deepEqual(listed.items.map((c: { name: string; yearly: string[] }) => [c.name, c.yearly]).sort(), [
    ['freeze', ['12-30', '12-31']],
    ['holidays', ['01-01', '12-25']],
  ]);

  await writeFile(file, 'name: broken\nyearly: ["02-30"]\n');
  const bad = await cli(['calendar', 'apply', '-f', file]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /yearly\[0\]: "02-30" is not a day of the year/);

  const taskFile = join(dir, 'task.yaml');
  await writeFile(
    taskFile,
    'name: nightly\nschedule: {kind: cron, expr: "0 2 * * *"}\ncalendars: [holidays]\njobs:\n  - {name: n, module: noop, targets: {server: true}}\n',
  );
  const applied = await cli(['task', 'apply', '-f', taskFile]);
  assert.equal(applied.code, 0, applied.stderr);
  const refused = await cli(['calendar', 'delete', 'holidays']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /"nightly"/);
  const deleted = await cli(['calendar', 'delete', 'freeze']);
  assert.equal(deleted.code, 0, deleted.stderr);
});
