import { catalogSecurityMigration } from '../../sql/catalog-security-migration.ts';

/** Who defined each command (only the global admin's run on the server); ended runs indexed per org. */
export const catalogSecurity = catalogSecurityMigration({ text: 'text', integer: 'integer' });
