import { defineModule, type ExecuteOutcome, type ServerJobContext, summarizeOutcomes } from '../sdk/index.ts';
import { type BackupParams, backupParamsSchema, parseBackupParams } from './schema.ts';

/**
 * `backup`: a consistent copy of the whole SQLite store, taken with SQLite's online backup
 * API while the server runs (what `taskwarden backup` does), the newest `keep` kept. Global
 * tasks only (the copy holds every org); on PostgreSQL a task using it is refused when saved.
 */
export const backupModule = defineModule<BackupParams>({
  name: 'backup',
  title: 'Backup',
  icon: '💾',
  description: 'Copies the SQLite database online into a folder and keeps the newest ones (global tasks only).',
  runsOn: 'server',
  parallelizable: false,
  globalOnly: true,
  usesStoreBackups: true,
  paramsSchema: backupParamsSchema,
  parseParams: parseBackupParams,
  execute: executeBackup,
  summarize: summarizeOutcomes,
});

async function executeBackup(ctx: ServerJobContext<BackupParams>): Promise<ExecuteOutcome> {
  const backups = ctx.services.backup;
  if (!backups || backups.unsupported !== null) {
    ctx.log(backups?.unsupported ?? 'backups are taken by global tasks only', 'stderr');
    return { done: true, ok: false, reason: 'module_failed' };
  }
  const { file, removed } = await backups.snapshot({ folder: ctx.params.folder, keep: ctx.params.keep });
  ctx.log(`backed up the database into ${file}`, 'info');
  for (const old of removed) ctx.log(`removed the older backup ${old}`, 'info');
  return { done: true, ok: true, result: { file, removed: removed.length } };
}

export default backupModule;
