// 0006_catalog_security on a database written before it: the same check on every backend.
import assert from 'node:assert/strict';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Store } from '../../src/core/ports/store.ts';
import { T0 } from './fixtures.ts';

const MIGRATION = '0006_catalog_security';

/**
 * Migrates `db` up to the migration before 0006 and writes, as the code of then did, an org
 * with a global server command and an org server command (which an org-admin could write).
 */
export async function writeLegacyCatalog(db: Kysely<unknown>, migrations: Record<string, Migration>): Promise<void> {
  const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < MIGRATION));
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => before } }).migrateToLatest();
  if (error) throw error;
  await sql`insert into orgs (id, name, created_at) values ('org-old', 'old', ${T0})`.execute(db);
  for (const [id, orgId, orgKey] of [
    ['cmd-global', null, ''],
    ['cmd-org', 'org-old', 'org-old'],
  ]) {
    await sql`insert into commands (id, org_id, org_key, name, description, argv, params, runs_on, timeout_seconds,
      created_at, updated_at)
      values (${id}, ${orgId}, ${orgKey}, ${id}, '', '["true"]', '{}', 'server', 60, ${T0}, ${T0})`.execute(db);
  }
}

/** After `store.migrate()`: the global row is the admin's; the org's row is trusted on the server no more. */
export async function checkLegacyCatalog(store: Store): Promise<void> {
  await store.migrate();
  assert.equal((await store.commands.get('cmd-global'))?.definedByAdmin, true);
  assert.equal((await store.commands.get('cmd-org'))?.definedByAdmin, false);
  assert.equal((await store.commands.resolveForServer('org-old', 'cmd-global'))?.id, 'cmd-global');
  assert.equal(await store.commands.resolveForServer('org-old', 'cmd-org'), null);
  assert.equal((await store.commands.resolve('org-old', 'cmd-org'))?.id, 'cmd-org');
}
