import type { Migration } from 'kysely';
import { agentReenrolMigration } from '../../sql/agent-reenrol-migration.ts';
import { agentTimezoneMigration } from '../../sql/agent-timezone-migration.ts';
import { attemptDurationsMigration } from '../../sql/attempt-durations-migration.ts';
import { calendarsMigration } from '../../sql/calendars-migration.ts';
import { claimOrder } from '../../sql/claim-order-migration.ts';
import { contactIndexesMigration } from '../../sql/contact-indexes-migration.ts';
import { globalTasksMigration } from '../../sql/global-tasks-migration.ts';
import { lateJoinMigration } from '../../sql/late-join-migration.ts';
import { ledgerAttemptMigration } from '../../sql/ledger-attempt-migration.ts';
import { nodeClockMigration } from '../../sql/node-clock-migration.ts';
import { packageSecurityMigration } from '../../sql/package-security-migration.ts';
import { rolloutsMigration } from '../../sql/rollouts-migration.ts';
import { initial } from './0001_initial.ts';
import { agents } from './0002_agents.ts';
import { fleet } from './0003_fleet.ts';
import { nodes } from './0004_nodes.ts';
import { catalogSecurity } from './0006_catalog_security.ts';
import { idempotency } from './0008_idempotency.ts';
import { missedOutages } from './0010_missed_outages.ts';
import { commandProcesses } from './0011_command_processes.ts';
import { timeslotEnd } from './0013_timeslot_end.ts';
import { notifications } from './0014_notifications.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** Every PostgreSQL migration by name, in order. A static map: nothing is discovered by scanning folders. */
export const postgresMigrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_agents': agents,
  '0003_fleet': fleet,
  '0004_nodes': nodes,
  '0005_claim_order': claimOrder,
  '0006_agent_reenrol': agentReenrolMigration(POSTGRES_TYPES),
  '0006_catalog_security': catalogSecurity,
  '0007_package_security': packageSecurityMigration(POSTGRES_TYPES),
  '0008_idempotency': idempotency,
  '0010_missed_outages': missedOutages,
  '0011_command_processes': commandProcesses,
  '0012_attempt_durations': attemptDurationsMigration(POSTGRES_TYPES),
  '0013_timeslot_end': timeslotEnd,
  '0014_notifications': notifications,
  '0015_node_clock': nodeClockMigration(POSTGRES_TYPES),
  '0016_agent_timezone': agentTimezoneMigration(POSTGRES_TYPES),
  '0017_rollouts': rolloutsMigration(POSTGRES_TYPES),
  '0020_ledger_attempt': ledgerAttemptMigration(POSTGRES_TYPES),
  '0018_late_join': lateJoinMigration(POSTGRES_TYPES),
  '0019_calendars': calendarsMigration(POSTGRES_TYPES),
  '0021_global_tasks': globalTasksMigration(POSTGRES_TYPES),
  '0022_contact_indexes': contactIndexesMigration('postgres'),
};
