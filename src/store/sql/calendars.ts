import type { Selectable } from 'kysely';
import type { Calendar } from '../../core/calendar.ts';
import type { CalendarRepo } from '../../core/ports/calendars.ts';
import { type SqlContext, writing } from './context.ts';
import { listOrgOrGlobal, usableOrgKeys } from './org-or-global.ts';
import { commandOrgKey } from './rows.ts';
import type { CalendarTable } from './schema.ts';

const toCalendar = (row: Selectable<CalendarTable>): Calendar => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  blackouts: JSON.parse(row.blackouts) as Calendar['blackouts'],
  yearly: JSON.parse(row.yearly) as string[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** A calendar's scope key: its org, or '' for a global one (the rule of commands and channels). */
const orgKey = commandOrgKey;

export function calendarRepo(ctx: SqlContext): CalendarRepo {
  const { db } = ctx;
  return {
    async create(calendar) {
      await writing(
        ctx,
        `calendar "${calendar.name}"`,
        () =>
          db
            .insertInto('calendars')
            .values({
              id: calendar.id,
              org_id: calendar.orgId,
              org_key: orgKey(calendar.orgId),
              name: calendar.name,
              blackouts: JSON.stringify(calendar.blackouts),
              yearly: JSON.stringify(calendar.yearly),
              created_at: calendar.createdAt,
              updated_at: calendar.updatedAt,
            })
            .execute(),
        'calendar_name_taken',
      );
      return calendar;
    },

    async get(id) {
      const row = await db.selectFrom('calendars').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toCalendar(row) : null;
    },

    async resolve(orgId, names) {
      if (names.length === 0) return [];
      const rows = await db
        .selectFrom('calendars')
        .selectAll()
        .where('name', 'in', [...names])
        .where('org_key', 'in', usableOrgKeys(orgId))
        .execute();
      // The org's own calendar of a name hides the global one of that name.
      const found = new Map<string, Selectable<CalendarTable>>();
      for (const row of rows) {
        const seen = found.get(row.name);
        if (!seen || seen.org_key === orgKey(null)) found.set(row.name, row);
      }
      return names.flatMap((name) => {
        const row = found.get(name);
        return row ? [toCalendar(row)] : [];
      });
    },

    list: (orgId, page) => listOrgOrGlobal(db, { table: 'calendars', orgId, page }, toCalendar),

    async update(id, change) {
      const result = await db
        .updateTable('calendars')
        .set({
          updated_at: change.updatedAt,
          ...(change.blackouts === undefined ? {} : { blackouts: JSON.stringify(change.blackouts) }),
          ...(change.yearly === undefined ? {} : { yearly: JSON.stringify(change.yearly) }),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async delete(id) {
      await db.deleteFrom('calendars').where('id', '=', id).execute();
    },

    async usersOf(orgId, name) {
      // The JSON list holds the name quoted; LIKE narrows (its _ matches any character), the parse decides.
      const rows = await db
        .selectFrom('tasks')
        .select(['id', 'org_id', 'name', 'calendars'])
        .where('calendars', 'like', `%${JSON.stringify(name)}%`)
        .$if(orgId !== null, (q) => q.where('org_id', '=', orgId as string))
        .orderBy('id')
        .execute();
      return rows
        .filter((row) => (JSON.parse(row.calendars) as string[]).includes(name))
        .map((row) => ({ id: row.id, orgId: row.org_id, name: row.name }));
    },
  };
}
