import type { Migration } from 'kysely';
import { claimOrder } from '../../sql/claim-order-migration.ts';
import { initial } from './0001_initial.ts';
import { agents } from './0002_agents.ts';
import { fleet } from './0003_fleet.ts';
import { nodes } from './0004_nodes.ts';
import { missedOutages } from './0010_missed_outages.ts';

/** Every SQLite migration by name, in order. A static map: nothing is discovered by scanning folders. */
export const sqliteMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_agents': agents,
  '0003_fleet': fleet,
  '0004_nodes': nodes,
  '0005_claim_order': claimOrder,
  '0010_missed_outages': missedOutages,
};
