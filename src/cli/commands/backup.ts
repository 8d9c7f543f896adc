import type { Command } from 'commander';
import type { ServerFlags } from '../../server/config.ts';

interface BackupFlags extends ServerFlags {
  force?: boolean;
}

/** `backup FILE` and `restore FILE`: the SQLite database of a data folder, online (PostgreSQL: pg_dump). */
export function registerBackupCommands(program: Command): void {
  const where = (cmd: Command) =>
    cmd
      .option('--data <dir>', 'data folder (env TASKWARDEN_DATA, default ./taskwarden-data)')
      .option('--db <url>', 'database (env TASKWARDEN_DB, default sqlite:<data>/taskwarden.db)')
      .option('--config <file>', "the server's config file, for its data and db (env TASKWARDEN_CONFIG)");

  where(program.command('backup <file>'))
    .description("Copy the server's SQLite database into FILE while it runs (SQLite's online backup)")
    .action(async (file: string, flags: BackupFlags) => {
      const { resolveServerConfig } = await import('../../server/config.ts');
      const { backupDatabase } = await import('../../server/backup.ts');
      const line = await backupDatabase(resolveServerConfig(flags, process.env, process.cwd()), file);
      process.stdout.write(`${line}\n`);
    });

  where(program.command('restore <file>'))
    .description('Make FILE (a backup) the database of a data folder; start a server on that folder then')
    .option('--force', 'replace an existing database (kept aside as <db>.before-restore-<time>); stop its server first')
    .action(async (file: string, flags: BackupFlags) => {
      const { resolveServerConfig } = await import('../../server/config.ts');
      const { restoreDatabase } = await import('../../server/backup.ts');
      const config = resolveServerConfig(flags, process.env, process.cwd());
      for (const line of await restoreDatabase(config, file, flags.force === true)) process.stdout.write(`${line}\n`);
    });
}
