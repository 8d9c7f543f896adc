import type { CommandRepo } from '../../core/ports/store.ts';
import { type Slots, Statement } from './compiled.ts';
import { type SqlContext, writing } from './context.ts';
import { listOrgOrGlobal, usableOrgKeys } from './org-or-global.ts';
import { commandRow, toCommand } from './rows.ts';

/**
 * The entry named `name` of the org, else the global one: '' (global) sorts before any org
 * id. Shape 'server': only one mayRunOnServer allows (core/catalog-authors.ts).
 */
const entryOfOrgOrGlobal = new Statement((db, p: Slots<{ orgKeys: string[]; name: string }>, shape) =>
  db
    .selectFrom('commands')
    .selectAll()
    .where('name', '=', p('name'))
    .where('org_key', 'in', p.list('orgKeys', 2))
    .$if(shape === 'server', (q) => q.where('defined_by_admin', '=', 1).where('runs_on', 'in', ['server', 'both']))
    .orderBy('org_key', 'desc')
    .limit(1),
);

export function commandRepo(ctx: SqlContext): CommandRepo {
  const { db } = ctx;
  return {
    /** Replacing keeps the stored id and createdAt, so references to the command stay valid. */
    async upsert(command) {
      const row = commandRow(command);
      const stored = await writing(
        ctx,
        `command "${command.name}"`,
        () =>
          db
            .insertInto('commands')
            .values(row)
            .onConflict((oc) =>
              oc.columns(['org_key', 'name']).doUpdateSet({
                description: row.description,
                argv: row.argv,
                params: row.params,
                runs_on: row.runs_on,
                timeout_seconds: row.timeout_seconds,
                defined_by_admin: row.defined_by_admin,
                updated_at: row.updated_at,
              }),
            )
            .returningAll()
            .executeTakeFirstOrThrow(),
        'command_name_taken',
      );
      return toCommand(stored);
    },

    async resolve(orgId, name) {
      const row = await entryOfOrgOrGlobal.first(ctx, { orgKeys: usableOrgKeys(orgId), name });
      return row ? toCommand(row) : null;
    },

    /** mayRunOnServer (core/catalog-authors.ts) as a filter; the org's entry first, as in resolve. */
    async resolveForServer(orgId, name) {
      const row = await entryOfOrgOrGlobal.first(ctx, { orgKeys: usableOrgKeys(orgId), name }, 'server');
      return row ? toCommand(row) : null;
    },

    async get(id) {
      const row = await db.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCommand(row) : null;
    },

    list: (orgId, page) => listOrgOrGlobal(db, { table: 'commands', orgId, page }, toCommand),

    async delete(id) {
      await db.deleteFrom('commands').where('id', '=', id).execute();
    },
  };
}
