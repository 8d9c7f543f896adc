// One wire schema (issue 16, item 2): a definition that comes without a request in front
// (a task file, `schedule preview` offline, the defaults the server seeds, benches) is
// refused with the code and message the API answers, because both are checked by the same
// schema through the same error mapping; and the core no longer repeats those checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { TaskwardenError } from '../../src/core/errors.ts';
import { parseTaskDef, type TaskDefInput } from '../../src/core/task-def.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { checkPreviewBody, checkTaskDefBody, readTaskDef } from '../../src/protocol/task-def-check.ts';
import { BIN, cliEnv } from '../support/cli.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const ctx = { modules: createModuleRegistry(builtinModules({ testModules: true })), defaultTz: 'UTC' };
const job = (over: Record<string, unknown> = {}) => ({ name: 'j', module: 'noop', targets: { server: true }, ...over });
const task = (over: Record<string, unknown>) => ({ name: 'one-schema', jobs: [job()], ...over });

/** Malformed: what only the wire schema checks now (core/task-def.ts takes them as they come). */
const MALFORMED: Array<[string, Record<string, unknown>]> = [
  ['an unknown field', task({ colour: 'red' })],
  ['a name of the wrong type', task({ name: 5 })],
  ['a name of a wrong shape', task({ name: '-dash-first' })],
  ['a description with a terminal escape', task({ description: 'a\u001b[2Jb' })],
  ['an unknown misfire policy', task({ misfire: 'sometimes' })],
  ['no jobs', task({ jobs: [] })],
  ['an unknown field in a job', task({ jobs: [job({ colour: 'red' })] })],
  ['an unknown startIf', task({ jobs: [job({ startIf: 'sometimes' })] })],
  ['retry attempts out of range', task({ jobs: [job({ retry: { attempts: 500 } })] })],
  ['server targets that are not true', task({ jobs: [job({ targets: { server: false } })] })],
];

/** Well-formed but wrong: the rules a schema cannot say, the core's for every path. */
const WRONG: Array<[string, Record<string, unknown>]> = [
  ['a duration that is none', task({ expireAfter: 'soon' })],
  ['a cron that never fires', task({ schedule: { kind: 'cron', expr: '0 0 31 2 *' } })],
  ['two jobs of one name', task({ jobs: [job(), job()] })],
  ['an unknown module', task({ jobs: [job({ module: 'teleport' })] })],
  ['two target selectors', task({ jobs: [job({ targets: { server: true, all: true } })] })],
  ['activeTill before activeFrom', task({ activeFrom: '2027-01-02T00:00:00Z', activeTill: '2027-01-01T00:00:00Z' })],
];

/** Preview bodies, as the CLI's flags give them. */
const PREVIEWS: Array<[string, Record<string, unknown>]> = [
  ['an unknown schedule field', { schedule: { kind: 'manual', colour: 'red' } }],
  ['an unknown schedule kind', { schedule: { kind: 'hourly' } }],
  ['a timeslot on day 9', { schedule: { kind: 'manual' }, timeslots: [{ day: 9, from: '08:00', to: '09:00' }] }],
];

function refusal(check: () => unknown): { code: string; message: string } {
  try {
    check();
  } catch (err) {
    assert.ok(err instanceof TaskwardenError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('accepted');
}

describe('one schema for a task definition, with or without a request', () => {
  let h: ServerHarness;
  before(async () => {
    h = await startServerHarness();
    await h.createOrg('acme');
  });
  after(() => h.cleanup());

  const api = async (url: string, body: unknown) => {
    const reply = await h.call('POST', url, { body });
    assert.equal(reply.status, 400, reply.body);
    return { code: reply.json.error.code, message: reply.json.error.message };
  };

  for (const [name, def] of [...MALFORMED, ...WRONG]) {
    test(`POST /api/v1/tasks and readTaskDef refuse ${name} alike`, async () => {
      assert.deepEqual(
        refusal(() => readTaskDef(def, ctx)),
        await api('/api/v1/tasks?org=acme', def),
      );
    });
  }

  for (const [name, def] of MALFORMED) {
    test(`the core alone takes ${name}: the check is the schema's only`, () => {
      assert.doesNotThrow(() => parseTaskDef(def as unknown as TaskDefInput, ctx));
    });
  }

  for (const [name, body] of PREVIEWS) {
    test(`POST /api/v1/schedules/preview and schedule preview offline refuse ${name} alike`, async () => {
      const answer = await api('/api/v1/schedules/preview', body);
      assert.deepEqual(
        refusal(() => checkPreviewBody(body)),
        answer,
      );
      const args = ['schedule', 'preview', '--schedule', JSON.stringify(body.schedule)];
      if (body.timeslots) args.push('--timeslots', JSON.stringify(body.timeslots));
      const cli = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cliEnv() });
      assert.equal(cli.status, 2, cli.stderr);
      assert.equal(cli.stderr, `taskwarden: ${answer.message}\n`);
    });
  }

  test('a batch item is named where it sits, as the batch route names it', async () => {
    const tasks = [task({ name: 'first' }), task({ name: 'second', misfire: 'sometimes' })];
    const answer = await api('/api/v1/tasks:batch?org=acme', { tasks });
    assert.deepEqual(
      refusal(() => tasks.map((def, i) => checkTaskDefBody(def, `tasks[${i}]`))),
      answer,
    );
  });
});
