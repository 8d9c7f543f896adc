import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.ts';
import type { Device, DeviceRepo, DeviceSighting } from '../../core/ports/fleet.ts';
import { affected, atomic, pageWindow, type SqlContext, toPage } from './context.ts';
import type { DeviceTable } from './fleet-schema.ts';
import type { Database } from './schema.ts';

/** Addresses looked up per query: far below every backend's bound-parameter limit. */
const LOOKUP_BATCH = 500;

interface Sighted {
  orgId: string;
  sighting: DeviceSighting;
  ports: string;
  at: number;
  jobstateId: string | null;
}

export function deviceRepo(ctx: SqlContext): DeviceRepo {
  const { db } = ctx;
  return {
    /** One transaction: a discovery's sightings land together or not at all. */
    record(orgId, sightings, at, jobstateId) {
      return atomic(ctx, async (tx) => {
        let created = 0;
        let updated = 0;
        for (let i = 0; i < sightings.length; i += LOOKUP_BATCH) {
          const batch = sightings.slice(i, i + LOOKUP_BATCH);
          const rows = await tx
            .selectFrom('devices')
            .select('ip')
            .where('org_id', '=', orgId)
            .where(
              'ip',
              'in',
              batch.map((s) => s.ip),
            )
            .execute();
          const known = new Set(rows.map((row) => row.ip));
          for (const sighting of batch) {
            const ports = JSON.stringify([...sighting.ports].sort((a, b) => a - b));
            const sighted = { orgId, sighting, ports, at, jobstateId };
            // Another node's discovery may insert the address after our lookup: then it is an update.
            if (!known.has(sighting.ip) && (await insertDevice(tx, sighted))) created++;
            else {
              await updateDevice(tx, sighted);
              updated++;
            }
          }
        }
        return { created, updated };
      });
    },

    async get(id) {
      const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDevice(row) : null;
    },

    async list(filter, page) {
      const { after, limit } = pageWindow(page);
      const rows = await db
        .selectFrom('devices')
        .selectAll()
        .$if(filter.orgId !== undefined, (q) => q.where('org_id', '=', filter.orgId as string))
        .$if(after !== undefined, (q) => q.where('id', '>', after as string))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, (row) => row.id, toDevice);
    },
  };
}

/** Inserts the device unless its address is known; returns whether it did. */
async function insertDevice(db: Kysely<Database>, s: Sighted): Promise<boolean> {
  const result = await db
    .insertInto('devices')
    .values({
      id: newId(),
      org_id: s.orgId,
      ip: s.sighting.ip,
      ports: s.ports,
      hostname: s.sighting.hostname,
      first_seen: s.at,
      last_seen: s.at,
      last_jobstate_id: s.jobstateId,
    })
    .onConflict((oc) => oc.columns(['org_id', 'ip']).doNothing())
    .executeTakeFirst();
  return affected(result.numInsertedOrUpdatedRows) > 0;
}

/** A reverse lookup that failed this time does not erase the name an earlier one found. */
async function updateDevice(db: Kysely<Database>, s: Sighted): Promise<void> {
  await db
    .updateTable('devices')
    .set({
      ports: s.ports,
      last_seen: s.at,
      last_jobstate_id: s.jobstateId,
      ...(s.sighting.hostname === null ? {} : { hostname: s.sighting.hostname }),
    })
    .where('org_id', '=', s.orgId)
    .where('ip', '=', s.sighting.ip)
    .execute();
}

const toDevice = (row: Selectable<DeviceTable>): Device => ({
  id: row.id,
  orgId: row.org_id,
  ip: row.ip,
  ports: JSON.parse(row.ports),
  hostname: row.hostname,
  firstSeen: row.first_seen,
  lastSeen: row.last_seen,
  lastJobstateId: row.last_jobstate_id,
});
