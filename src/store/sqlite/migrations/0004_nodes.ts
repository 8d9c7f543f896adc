import { nodesMigration } from '../../sql/nodes-migration.ts';

/** Server nodes and their heartbeats. */
export const nodes = nodesMigration({ text: 'text', integer: 'integer' });
