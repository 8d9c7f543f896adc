import type { EnrolmentTokenRepo } from '../../core/ports/store.ts';
import { pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { enrolmentTokenRow, toEnrolmentToken } from './rows.ts';

export function enrolmentTokenRepo(ctx: SqlContext): EnrolmentTokenRepo {
  const { db } = ctx;
  return {
    async create(token) {
      await writing(ctx, 'enrolment token', () =>
        db.insertInto('enrolment_tokens').values(enrolmentTokenRow(token)).execute(),
      );
      return token;
    },

    async get(id) {
      const row = await db.selectFrom('enrolment_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toEnrolmentToken(row) : null;
    },

    async findByHash(hash) {
      const row = await db.selectFrom('enrolment_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row ? toEnrolmentToken(row) : null;
    },

    /** One conditional UPDATE: two enrolments racing for the last use cannot both win. */
    async consume(id, now) {
      const result = await db
        .updateTable('enrolment_tokens')
        .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
        .where('id', '=', id)
        .where('uses_left', '>', 0)
        .where('expires_at', '>', now)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async list(orgId, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('enrolment_tokens')
        .selectAll()
        .$if(orgId !== undefined, (q) => q.where('org_id', '=', orgId as string))
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toEnrolmentToken);
    },

    async revoke(id, at) {
      await db
        .updateTable('enrolment_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },
  };
}
