import { TaskwardenError, ValidationError } from './errors.ts';
import type { TaskDef } from './model.ts';
import type { ModuleRegistry } from './ports/module.ts';

/**
 * Global tasks: server-side work over the whole installation (housekeeping, backups,
 * mirror syncs) that the global admin defines. They live in a reserved org, created by
 * migration 0021 and never listed among the orgs, so runs, jobstates, logs and monitoring
 * lines work for them as for any task; the API names that org `global` (`?org=global`),
 * and no user, agent or enrolment token ever belongs to it.
 */
export const GLOBAL_ORG_ID = 'global';

/** What the task routes accept as `?org=` to mean the global tasks. */
export const GLOBAL_ORG_SELECTOR = 'global';

export function isGlobalOrg(orgId: string | null | undefined): boolean {
  return orgId === GLOBAL_ORG_ID;
}

/** A global task runs on the server only: there are no global agents to target. */
export function checkGlobalTaskDef(def: TaskDef): void {
  def.jobs.forEach((job, i) => {
    if (!('server' in job.targets)) {
      throw new ValidationError(`jobs[${i}].targets`, 'a global task runs on the server only: use {"server": true}');
    }
  });
}

/** An org task naming a module only global tasks may run (its definition says `globalOnly`). */
export function checkOrgTaskModules(def: TaskDef, modules: ModuleRegistry): void {
  def.jobs.forEach((job, i) => {
    if (modules.get(job.module)?.globalOnly) {
      throw new ValidationError(`jobs[${i}].module`, `"${job.module}" runs only in global tasks (the global admin's)`);
    }
  });
}

/** Every write to a global task by an org role: it may read it (opted in) but never change it. */
export function globalTaskReadOnly(name: string): TaskwardenError {
  return new TaskwardenError(
    'global_task_read_only',
    `task "${name}" is global: only the global admin changes or runs it`,
  );
}

/** The nightly housekeeping every fresh install gets (README "Global tasks"), seeded once. */
export const HOUSEKEEPING_SEED = 'housekeeping';
export const DEFAULT_HOUSEKEEPING_TASK = {
  name: 'housekeeping',
  description: 'Nightly retention over the whole installation: runs 90 d, logs 30 d, unused package files.',
  schedule: { kind: 'cron', expr: '30 3 * * *' },
  jobs: [
    {
      name: 'prune',
      module: 'housekeeping',
      params: { keepRuns: '90d', keepLogs: '30d', keepUploads: '1d' },
      targets: { server: true },
    },
  ],
} as const;
