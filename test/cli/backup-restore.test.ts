// `taskwarden backup FILE` copies a running server's SQLite database online; `taskwarden
// restore FILE --data DIR` makes it a new data folder's, which a server starts from with the
// same tasks (and a new admin token, the backup holding only hashes). Bad restores change nothing.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveServerConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { runCli } from '../support/cli.ts';

const QUIET = { TASKWARDEN_LOG_LEVEL: 'silent' };

describe('backup and restore', () => {
  let dir: string;
  let original: RunningServer;
  let restored: RunningServer | null = null;
  let exported: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-backup-'));
    original = await startServer(resolveServerConfig({ data: join(dir, 'a'), port: '0' }, QUIET, dir));
    const admin = (await readFile(join(dir, 'a', 'admin.token'), 'utf8')).trim();
    await fetch(`${original.url}/api/v1/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'acme' }),
    });
    await writeFile(
      join(dir, 'tasks.yaml'),
      'name: nightly\nschedule: {kind: cron, expr: "0 3 * * *", tz: Europe/Paris}\n' +
        'timeslots: [{day: 0, from: "00:00", to: "06:00"}]\n' +
        'jobs: [{name: clean, module: housekeeping, params: {}, targets: {server: true}}]\n',
    );
    // The admin's write names the org; the server is the one the data folder names.
    const applied = await runCli([
      'task',
      'apply',
      '-f',
      join(dir, 'tasks.yaml'),
      '--org',
      'acme',
      '--data',
      join(dir, 'a'),
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    const exportRun = await runCli(['task', 'export', 'nightly', '--org', 'acme', '--data', join(dir, 'a')]);
    assert.equal(exportRun.code, 0, exportRun.stderr);
    exported = exportRun.stdout;
  });

  after(async () => {
    await restored?.close(1_000);
    await original?.close(1_000);
    await rm(dir, { recursive: true, force: true });
  });

  test('a backup taken while the server runs starts a new data folder with the same tasks', async () => {
    const backup = await runCli(['backup', join(dir, 'tw.backup'), '--data', join(dir, 'a')]);
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal((await stat(join(dir, 'tw.backup'))).mode & 0o777, 0o600, 'it holds credential hashes');
    const restore = await runCli(['restore', join(dir, 'tw.backup'), '--data', join(dir, 'b')]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /wrote a new admin token to .*\/b\/admin\.token/);
    restored = await startServer(resolveServerConfig({ data: join(dir, 'b'), port: '0' }, QUIET, dir));
    assert.equal(restored.adminTokenFile, null, 'the restored store has its admin: no first start');
    const readBack = await runCli(['task', 'export', 'nightly', '--org', 'acme', '--data', join(dir, 'b')]);
    assert.equal(readBack.code, 0, readBack.stderr);
    assert.equal(readBack.stdout, exported);
    assert.match(exported, /expr: 0 3 \* \* \*/);
  });

  test('restore refuses what is not a Taskwarden database, and an existing one without --force', async () => {
    await writeFile(join(dir, 'junk.db'), 'not a database at all, not even close to one\n');
    const junk = await runCli(['restore', join(dir, 'junk.db'), '--data', join(dir, 'c')]);
    assert.equal(junk.code, 2, junk.stdout);
    assert.match(junk.stderr, /junk\.db: is no SQLite database/);
    await assert.rejects(readdir(join(dir, 'c')), { code: 'ENOENT' }, 'nothing was created');
    const again = await runCli(['restore', join(dir, 'tw.backup'), '--data', join(dir, 'b')]);
    assert.equal(again.code, 4, again.stdout);
    assert.match(again.stderr, /taskwarden\.db exists: stop its server, then restore with --force/);
    assert.deepEqual(
      (await readdir(join(dir, 'b'))).filter((f) => f.includes('before-restore')),
      [],
      'nothing moved',
    );
  });

  test('restore --force keeps the replaced database and its WAL aside; the server starts from the backup', async () => {
    await restored?.close(1_000);
    restored = null;
    // What a server killed mid-write leaves: a WAL that belongs to the database being replaced.
    await writeFile(join(dir, 'b', 'taskwarden.db-wal'), 'frames of the replaced database');
    const forced = await runCli(['restore', join(dir, 'tw.backup'), '--data', join(dir, 'b'), '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /kept the previous database as .*taskwarden\.db\.before-restore-/);
    const files = await readdir(join(dir, 'b'));
    assert.ok(
      files.some((f) => /^taskwarden\.db\.before-restore-.*-wal$/.test(f)),
      files.join(' '),
    );
    assert.ok(!files.includes('taskwarden.db-wal'), 'no stale WAL beside the restored database');
    restored = await startServer(resolveServerConfig({ data: join(dir, 'b'), port: '0' }, QUIET, dir));
    const admin = (await readFile(join(dir, 'b', 'admin.token'), 'utf8')).trim();
    const tasks = await fetch(`${restored.url}/api/v1/tasks`, { headers: { authorization: `Bearer ${admin}` } });
    assert.deepEqual(
      ((await tasks.json()) as { items: { name: string }[] }).items.map((t) => t.name),
      // The global housekeeping seeded on the backup's first start, once (not seeded again here).
      ['housekeeping', 'nightly'],
    );
  });

  test('PostgreSQL is backed up with pg_dump: the command says so', async () => {
    const res = await runCli(['backup', join(dir, 'pg.backup'), '--db', 'postgres://tw@127.0.0.1/tw']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--db: is PostgreSQL: back it up with pg_dump/);
  });
});
