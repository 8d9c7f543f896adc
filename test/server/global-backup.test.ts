// Issue 16: on a fresh server the global housekeeping task is there, and a global task of
// the `backup` module copies the live SQLite store online into the data folder's
// backups/, keeping the newest `keep`; each copy opens and holds the tasks. The CLI applies,
// lists and shows global tasks (marked global). On PostgreSQL the module is refused when
// the task is saved, naming the field.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { systemClock } from '../../src/core/clock.ts';
import type { ValidationError } from '../../src/core/errors.ts';
import { GLOBAL_ORG_ID } from '../../src/core/global-tasks.ts';
import type { TaskDef } from '../../src/core/model.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry, defineModule } from '../../src/modules/sdk/index.ts';
import { checkTaskScope } from '../../src/server/global-tasks.ts';
import type { RunningServer } from '../../src/server/start.ts';
import { storeBackups } from '../../src/server/store-backups.ts';
import { checkSqliteBackup } from '../../src/store/sqlite/backup.ts';
import { runCli } from '../support/cli.ts';
import { type RealServer, startRealServer } from '../support/server.ts';

describe('global tasks on a real server: housekeeping seeded, backup module', () => {
  let real: RealServer | undefined;
  let dir: string;
  let data: string;
  let server: RunningServer;
  let admin: string;
  const api = async (method: string, path: string) => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${admin}` } });
    // biome-ignore lint/suspicious/noExplicitAny: test replies are read field by field
    return { status: res.status, json: (await res.json()) as any };
  };

  before(async () => {
    real = await startRealServer('tw-global-');
    ({ server, dir, data, adminToken: admin } = real);
  });
  after(() => real?.close());

  test('the CLI applies, lists and shows global tasks; a fresh install has housekeeping', async () => {
    await writeFile(
      join(dir, 'global.yaml'),
      'name: backups\nschedule: {kind: manual}\njobs: [{name: copy, module: backup, params: {keep: 2}, targets: {server: true}}]\n',
    );
    const applied = await runCli(['task', 'apply', '-f', join(dir, 'global.yaml'), '--org', 'global', '--data', data]);
    assert.equal(applied.code, 0, applied.stderr);
    const list = await runCli(['task', 'list', '--data', data]);
    assert.equal(list.code, 0, list.stderr);
    for (const name of ['housekeeping', 'backups']) {
      const line = list.stdout.split('\n').find((l) => l.includes(name));
      assert.match(line ?? '', /\(global\)/, `${name} listed as global:\n${list.stdout}`);
    }
    const show = await runCli(['task', 'show', 'housekeeping', '--org', 'global', '--data', data]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^# global task /);
    assert.match(show.stdout, /keepRuns: 7776000\n/); // 90 days, in seconds as params are kept
  });

  test('each run copies the live database; the newest `keep` stay and open with the tasks', async () => {
    const tasks = (await api('GET', '/api/v1/tasks?org=global')).json.items;
    const backup = tasks.find((t: { name: string }) => t.name === 'backups');
    assert.ok(backup, 'applied by the previous test');
    for (let i = 0; i < 3; i++) {
      const run = await api('POST', `/api/v1/tasks/${backup.id}/runs?wait=60`);
      assert.equal(run.json.status, 'finished', JSON.stringify(run.json));
    }
    const files = (await readdir(join(data, 'backups'))).sort();
    assert.equal(files.length, 2, `kept: ${files.join(', ')}`);
    const newest = join(data, 'backups', files[1] as string);
    checkSqliteBackup(newest);
    const db = new Database(newest, { readonly: true });
    try {
      const names = (db.prepare('SELECT name FROM tasks WHERE org_id = ?').all(GLOBAL_ORG_ID) as { name: string }[])
        .map((t) => t.name)
        .sort();
      assert.deepEqual(names, ['backups', 'housekeeping']);
    } finally {
      db.close();
    }
  });

  test('on PostgreSQL a task of the backup module is refused when saved, naming the field', () => {
    const backups = storeBackups({ dbUrl: 'postgresql://127.0.0.1/taskwarden', dataDir: dir }, systemClock);
    const def = {
      jobs: [{ name: 'copy', module: 'backup', params: {}, targets: { server: true } }],
    } as unknown as TaskDef;
    assert.throws(
      () => checkTaskScope(def, { orgId: GLOBAL_ORG_ID, modules: createModuleRegistry(builtinModules()), backups }),
      (err: ValidationError) => err.message.startsWith('jobs[0].module:') && /pg_dump/.test(err.message),
    );
  });

  test("the definition's usesStoreBackups decides, not the module's name", () => {
    const backups = storeBackups({ dbUrl: 'postgresql://127.0.0.1/taskwarden', dataDir: dir }, systemClock);
    const snapshot = defineModule({
      name: 'db-snapshot',
      title: 'Snapshot',
      runsOn: 'server',
      usesStoreBackups: true,
      paramsSchema: { type: 'object' },
      execute: async () => ({ done: true, ok: true }),
    });
    const def = {
      jobs: [{ name: 'copy', module: 'db-snapshot', params: {}, targets: { server: true } }],
    } as unknown as TaskDef;
    assert.throws(
      () => checkTaskScope(def, { orgId: GLOBAL_ORG_ID, modules: createModuleRegistry([snapshot]), backups }),
      (err: ValidationError) => err.message.startsWith('jobs[0].module:') && /pg_dump/.test(err.message),
    );
  });
});
