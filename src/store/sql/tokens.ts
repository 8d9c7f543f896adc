import type { TokenRepo } from '../../core/ports/store.ts';
import { pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { tokenRow, toToken } from './rows.ts';

export function tokenRepo(ctx: SqlContext): TokenRepo {
  const { db } = ctx;
  return {
    async create(token) {
      await writing(ctx, `api token "${token.name}"`, () =>
        db.insertInto('api_tokens').values(tokenRow(token)).execute(),
      );
      return token;
    },

    async findByHash(hash) {
      const row = await db.selectFrom('api_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row ? toToken(row) : null;
    },

    async get(id) {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toToken(row) : null;
    },

    async listForUser(userId, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toToken);
    },

    /** Keeps the first revocation time: revoking twice changes nothing. */
    async revoke(id, at) {
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },

    async touch(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}
