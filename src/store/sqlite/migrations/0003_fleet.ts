import { fleetMigration } from '../../sql/fleet-migration.ts';

/** Inventories with their history, discovered devices, package files and packages. */
export const fleet = fleetMigration({ text: 'text', integer: 'integer' });
