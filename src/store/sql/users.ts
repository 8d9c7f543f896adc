import type { UserRepo } from '../../core/ports/store.ts';
import { pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { userPatchRow } from './patches.ts';
import { toUser, userRow } from './rows.ts';

export function userRepo(ctx: SqlContext): UserRepo {
  const { db } = ctx;
  return {
    async create(user) {
      await writing(
        ctx,
        `user "${user.name}"`,
        () => db.insertInto('users').values(userRow(user)).execute(),
        'user_name_taken',
      );
      return user;
    },

    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async getByName(name) {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async list(orgId, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('users')
        .selectAll()
        .$if(orgId === null, (q) => q.where('org_id', 'is', null))
        .$if(orgId !== null, (q) => q.where('org_id', '=', orgId as string))
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toUser);
    },

    async update(id, patch) {
      const values = userPatchRow(patch);
      if (Object.keys(values).length === 0) return;
      await db.updateTable('users').set(values).where('id', '=', id).execute();
    },

    async count() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
