import type { Migration } from 'kysely';
import { agentReenrolMigration } from './agent-reenrol-migration.ts';
import { agentTimezoneMigration } from './agent-timezone-migration.ts';
import { attemptDurationsMigration } from './attempt-durations-migration.ts';
import { calendarsMigration } from './calendars-migration.ts';
import { catalogSecurityMigration } from './catalog-security-migration.ts';
import { claimOrder } from './claim-order-migration.ts';
import { claimPlansMigration } from './claim-plans-migration.ts';
import { commandProcessesMigration } from './command-processes-migration.ts';
import { contactIndexesMigration } from './contact-indexes-migration.ts';
import { type ColumnTypes, fleetMigration } from './fleet-migration.ts';
import { globalTasksMigration } from './global-tasks-migration.ts';
import { idempotencyMigration } from './idempotency-migration.ts';
import { jobstateIndexesMigration } from './jobstate-indexes-migration.ts';
import { lateJoinMigration } from './late-join-migration.ts';
import { ledgerAttemptMigration } from './ledger-attempt-migration.ts';
import { missedOutagesMigration } from './missed-outages-migration.ts';
import { nodeClockMigration } from './node-clock-migration.ts';
import { nodesMigration } from './nodes-migration.ts';
import { notificationsMigration } from './notifications-migration.ts';
import { packageSecurityMigration } from './package-security-migration.ts';
import { rolloutsMigration } from './rollouts-migration.ts';
import { timeslotEndMigration } from './timeslot-end-migration.ts';

/** What only one backend writes its own way: the first schema and the agents' tables. */
export interface DialectMigrations {
  /** For the migrations that differ by backend beyond column types (0022's SQLite-only index, 0023's). */
  backend: 'sqlite' | 'postgres';
  initial: Migration;
  agents: Migration;
}

/**
 * Every migration by name, in order, for a backend with these column types: the one list
 * both stores run, so a migration is written once (a factory in this folder taking the
 * column types) and added here once. A static map: nothing is discovered by scanning
 * folders. Names are the ones already recorded in installed databases: never rename one.
 */
export function migrationsFor(types: ColumnTypes, own: DialectMigrations): Record<string, Migration> {
  return {
    '0001_initial': own.initial,
    '0002_agents': own.agents,
    // Inventories with their history, discovered devices, package files and packages.
    '0003_fleet': fleetMigration(types),
    // Server nodes and their heartbeats.
    '0004_nodes': nodesMigration(types),
    '0005_claim_order': claimOrder,
    '0006_agent_reenrol': agentReenrolMigration(types),
    // Who defined each command (only the global admin's run on the server); ended runs indexed per org.
    '0006_catalog_security': catalogSecurityMigration(types),
    '0007_package_security': packageSecurityMigration(types),
    // Idempotency keys of run starts.
    '0008_idempotency': idempotencyMigration(types),
    // One missed run per task per outage, with its count and last firing.
    '0010_missed_outages': missedOutagesMigration(types),
    // The programs server jobs started, so a restart kills what a crash left running.
    '0011_command_processes': commandProcessesMigration(types),
    '0012_attempt_durations': attemptDurationsMigration(types),
    // A task's timeslotEnd, and when a prepared jobstate's window closes.
    '0013_timeslot_end': timeslotEndMigration(types),
    // Channels, the notification queue, deliveries, task and org rules.
    '0014_notifications': notificationsMigration(types),
    '0015_node_clock': nodeClockMigration(types),
    '0016_agent_timezone': agentTimezoneMigration(types),
    '0017_rollouts': rolloutsMigration(types),
    '0020_ledger_attempt': ledgerAttemptMigration(types),
    '0018_late_join': lateJoinMigration(types),
    '0019_calendars': calendarsMigration(types),
    '0021_global_tasks': globalTasksMigration(types),
    '0022_contact_indexes': contactIndexesMigration(own.backend),
    // SQLite's jobstate indexes partial, as PostgreSQL's are, and one index of a run's jobstates.
    '0023_jobstate_indexes': jobstateIndexesMigration(own.backend),
    // PostgreSQL: no index but the agent one holds every agent's prepared jobstates in claim order.
    '0024_claim_plans': claimPlansMigration(own.backend),
  };
}
