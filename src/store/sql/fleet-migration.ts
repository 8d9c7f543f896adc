import type { ColumnDataType, Expression, Kysely, Migration } from 'kysely';

/** Column types of one backend: SQLite's text/integer, PostgreSQL's "C"-collated text/bigint. */
export interface ColumnTypes {
  text: ColumnDataType | Expression<unknown>;
  integer: ColumnDataType | Expression<unknown>;
}

/**
 * The fleet tables (0003 on every backend; each passes its column types): agent inventories
 * with their change history, discovered devices, package files and packages. They reference
 * their org only: an agent's inventory is keyed by its id, so this schema does not depend on
 * how agents are stored.
 */
export function fleetMigration({ text, integer }: ColumnTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('agent_inventories')
        .addColumn('agent_id', text, (c) => c.primaryKey())
        .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
        .addColumn('data', text, (c) => c.notNull())
        .addColumn('collected_at', integer, (c) => c.notNull())
        .addColumn('jobstate_id', text)
        .execute();

      await db.schema
        .createTable('inventory_history')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('agent_id', text, (c) => c.notNull())
        .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
        .addColumn('jobstate_id', text)
        .addColumn('at', integer, (c) => c.notNull())
        .addColumn('changes', text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('inventory_history_agent')
        .on('inventory_history')
        .columns(['agent_id', 'id'])
        .execute();

      await db.schema
        .createTable('devices')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
        .addColumn('ip', text, (c) => c.notNull())
        .addColumn('ports', text, (c) => c.notNull())
        .addColumn('hostname', text)
        .addColumn('first_seen', integer, (c) => c.notNull())
        .addColumn('last_seen', integer, (c) => c.notNull())
        .addColumn('last_jobstate_id', text)
        .addUniqueConstraint('devices_org_ip', ['org_id', 'ip'])
        .execute();
      await db.schema.createIndex('devices_org').on('devices').columns(['org_id', 'id']).execute();

      await db.schema
        .createTable('package_files')
        .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
        .addColumn('sha256', text, (c) => c.notNull())
        .addColumn('size', integer, (c) => c.notNull())
        .addColumn('created_at', integer, (c) => c.notNull())
        .addPrimaryKeyConstraint('package_files_pk', ['org_id', 'sha256'])
        .execute();

      await db.schema
        .createTable('packages')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('org_id', text, (c) => c.notNull().references('orgs.id'))
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('version', text, (c) => c.notNull())
        .addColumn('sha256', text, (c) => c.notNull())
        .addColumn('size', integer, (c) => c.notNull())
        .addColumn('manifest', text, (c) => c.notNull())
        .addColumn('created_at', integer, (c) => c.notNull())
        .addColumn('created_by', text)
        .addUniqueConstraint('packages_org_name_version', ['org_id', 'name', 'version'])
        .addForeignKeyConstraint('packages_file', ['org_id', 'sha256'], 'package_files', ['org_id', 'sha256'])
        .execute();
      await db.schema.createIndex('packages_org_name').on('packages').columns(['org_id', 'name', 'id']).execute();
    },
  };
}
