import { catalogSecurityMigration } from '../../sql/catalog-security-migration.ts';
import { POSTGRES_TYPES } from './column-types.ts';

/** SQLite's 0006 with PostgreSQL types. */
export const catalogSecurity = catalogSecurityMigration(POSTGRES_TYPES);
