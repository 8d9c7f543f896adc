import type { Kysely } from 'kysely';
import type { AgentRepo } from '../../core/ports/store.ts';
import { boundSet, type Slots, Statement, setSlots } from './compiled.ts';
import { atomic, pageWindow, type SqlContext, toPage, writing } from './context.ts';
import { agentPatchRow } from './patches.ts';
import { agentRow, toAgent } from './rows.ts';
import type { Database } from './schema.ts';

/** Ids per `IN (…)` list: far below SQLite's and PostgreSQL's parameter limits. */
const ID_CHUNK = 500;

/** A contact that may join open runs reads its agent (engine/late-join.ts), as wakes do. */
const agentById = new Statement((db, p: Slots<{ id: string }>) =>
  db.selectFrom('agents').selectAll().where('id', '=', p('id')),
);

/** Every agent call authenticates by its secret's hash (getManyBySecretHash): shape, the list's length. */
const bySecretHashes = new Statement((db, p: Slots<{ keys: string[] }>, shape) =>
  db
    .selectFrom('agents')
    .selectAll()
    .where('secret_hash', 'in', p.list('keys', Number(shape))),
);

/** An update of one agent's columns (every contact records itself): shape, the columns. */
const updateById = new Statement((db, p: Slots<{ id: string } & Record<string, unknown>>, columns) =>
  db.updateTable('agents').set(setSlots(columns, p)).where('id', '=', p('id')),
);

/** The contacts of a group-commit batch record when they called, in one statement: shape, the list's length. */
const touchByIds = new Statement((db, p: Slots<{ at: number; keys: string[] }>, shape) =>
  db
    .updateTable('agents')
    .set({ last_contact_at: p('at') })
    .where('id', 'in', p.list('keys', Number(shape))),
);

/**
 * Agents. Tags live twice: as JSON in agents.tags (the record) and one row per tag in
 * agent_tags (what "agents having any of these tags" queries), written together.
 */
export function agentRepo(ctx: SqlContext): AgentRepo {
  const { db } = ctx;
  return {
    async create(agent) {
      await writing(
        ctx,
        `agent for device "${agent.deviceId}"`,
        () =>
          atomic(ctx, async (tx) => {
            await tx.insertInto('agents').values(agentRow(agent)).execute();
            await insertTags(tx, agent.id, agent.orgId, agent.tags);
          }),
        'agent_already_enrolled',
      );
      return agent;
    },

    async get(id) {
      const row = await agentById.first(ctx, { id });
      return row ? toAgent(row) : null;
    },

    async getManyBySecretHash(hashes) {
      return (await bySecretHashes.rowsOfKeys(ctx, hashes)).map(toAgent);
    },

    async getByDevice(orgId, deviceId) {
      const row = await db
        .selectFrom('agents')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('device_id', '=', deviceId)
        .executeTakeFirst();
      return row ? toAgent(row) : null;
    },

    async list(filter, page) {
      const { after, limit } = pageWindow(page);
      const tags = filter.tags;
      if (tags?.length === 0) return { items: [], next: null };
      const rows = await db
        .selectFrom('agents')
        .selectAll()
        .$if(filter.orgId !== undefined, (q) => q.where('org_id', '=', filter.orgId as string))
        .$if(filter.enabled !== undefined, (q) => q.where('enabled', '=', filter.enabled ? 1 : 0))
        .$if(tags !== undefined, (q) =>
          q.where(
            'id',
            'in',
            db
              .selectFrom('agent_tags')
              .select('agent_id')
              // The org's tags are sought (agent_tags_org_tag); without it every agent's tags were read.
              .$if(filter.orgId !== undefined, (w) => w.where('org_id', '=', filter.orgId as string))
              .where('tag', 'in', tags as string[]),
          ),
        )
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toAgent);
    },

    async update(id, patch) {
      const values = agentPatchRow(patch);
      // Without tags it is one statement (every contact touches lastContactAt): no transaction.
      if (patch.tags === undefined && Object.keys(values).length > 0) {
        const { columns, values: set } = boundSet(values);
        return writing(ctx, `agent ${id}`, async () => (await updateById.changed(ctx, { ...set, id }, columns)) > 0);
      }
      return writing(ctx, `agent ${id}`, () =>
        atomic(ctx, async (tx) => {
          const row = await tx.selectFrom('agents').select('org_id').where('id', '=', id).executeTakeFirst();
          if (!row) return false;
          if (Object.keys(values).length > 0) await tx.updateTable('agents').set(values).where('id', '=', id).execute();
          if (patch.tags !== undefined) {
            await tx.deleteFrom('agent_tags').where('agent_id', '=', id).execute();
            await insertTags(tx, id, row.org_id, patch.tags);
          }
          return true;
        }),
      );
    },

    async touchContacts(ids, at) {
      await touchByIds.runOfKeys(ctx, ids, { at }, ID_CHUNK);
    },

    async takeReenrolment(id, now) {
      const result = await db
        .updateTable('agents')
        .set({ reenrol_until: null })
        .where('id', '=', id)
        .where('reenrol_until', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async delete(id) {
      await atomic(ctx, async (tx) => {
        await tx.deleteFrom('agent_tags').where('agent_id', '=', id).execute();
        await tx.deleteFrom('agents').where('id', '=', id).execute();
      });
    },

    async resolveTargets(orgId, spec) {
      const enabled = db.selectFrom('agents').select('id').where('org_id', '=', orgId).where('enabled', '=', 1);
      if ('all' in spec) return (await enabled.orderBy('id').execute()).map((row) => row.id);
      if ('tags' in spec) {
        if (spec.tags.length === 0) return [];
        // The org is named on the tags (agent_tags_org_tag) and checked on the rows, not in the
        // statement: there PostgreSQL, before its first ANALYZE of a new fleet, read the org's
        // agents off agents_org once per tagged agent, and a run over 1,000 agents waited 100 ms
        // for its targets (1,000 × 1,000 rows); each tagged agent is now sought by its key.
        const rows = await db
          .selectFrom('agents')
          .select(['id', 'org_id'])
          .where('enabled', '=', 1)
          .where(
            'id',
            'in',
            db.selectFrom('agent_tags').select('agent_id').where('org_id', '=', orgId).where('tag', 'in', spec.tags),
          )
          .orderBy('id')
          .execute();
        return rows.flatMap((row) => (row.org_id === orgId ? [row.id] : []));
      }
      const wanted = [...new Set(spec.agents)];
      const found: string[] = [];
      for (let i = 0; i < wanted.length; i += ID_CHUNK) {
        const rows = await enabled.where('id', 'in', wanted.slice(i, i + ID_CHUNK)).execute();
        found.push(...rows.map((row) => row.id));
      }
      return found.sort();
    },

    async timezones(ids) {
      const zones = new Map<string, string>();
      const wanted = [...new Set(ids)];
      for (let i = 0; i < wanted.length; i += ID_CHUNK) {
        const rows = await db
          .selectFrom('agents')
          .select(['id', 'timezone', 'timezone_override'])
          .where('id', 'in', wanted.slice(i, i + ID_CHUNK))
          .execute();
        for (const row of rows) {
          const zone = row.timezone_override ?? row.timezone;
          if (zone) zones.set(row.id, zone);
        }
      }
      return zones;
    },
  };
}

async function insertTags(db: Kysely<Database>, agentId: string, orgId: string, tags: string[]): Promise<void> {
  const unique = [...new Set(tags)];
  if (unique.length === 0) return;
  await db
    .insertInto('agent_tags')
    .values(unique.map((tag) => ({ agent_id: agentId, org_id: orgId, tag })))
    .execute();
}
