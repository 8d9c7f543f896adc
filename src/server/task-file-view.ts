import { formatDuration } from '../core/duration.ts';
import type { JobDef, TaskDef } from '../core/model.ts';
import type { RolloutDef } from '../core/rollout.ts';
import { TASK_FIELDS } from '../protocol/task-def.ts';
import type { TaskView } from '../protocol/tasks.ts';
import { rolloutDefView } from './rollout-view.ts';

/**
 * Stored task fields → the names and shapes of the task file (what `task apply` takes and
 * `task export` prints): `expireAfterSeconds: 3600` → `expireAfter: "1h"`, a job's
 * `retryAttempts` → `retry.attempts`. The one mapping that task views and history diffs
 * share, so a diff names fields as the user wrote them.
 */
type TaskFileDef = Omit<TaskView, 'id' | 'orgId' | 'version' | 'createdAt' | 'updatedAt'>;

function jobFileView(job: JobDef): TaskFileDef['jobs'][number] {
  return {
    name: job.name,
    module: job.module,
    params: job.params,
    targets: job.targets as unknown as Record<string, unknown>,
    delay: formatDuration(job.delaySeconds),
    startIf: job.startIf,
    timeout: formatDuration(job.timeoutSeconds),
    retry: { attempts: job.retryAttempts, backoff: formatDuration(job.retryBackoffSeconds) },
  };
}

/** The stored definition's fields, in the order of the task file: its fields, as stored (expireAfter in seconds). */
const STORED_FIELDS: readonly (keyof TaskDef)[] = TASK_FIELDS.map((field) =>
  field === 'expireAfter' ? 'expireAfterSeconds' : field,
);

/** One stored field as the task file names and writes it; fields stored as written pass as they are. */
export function taskFileField(field: string, value: unknown): [string, unknown] {
  if (field === 'expireAfterSeconds') return ['expireAfter', typeof value === 'number' ? formatDuration(value) : value];
  if (field === 'jobs' && Array.isArray(value)) return ['jobs', (value as JobDef[]).map(jobFileView)];
  if (field === 'rollout' && value) return ['rollout', rolloutDefView(value as RolloutDef)];
  return [field, value];
}

/** The definition in the shape it is written in, so what GET returns can be PUT back unchanged. */
export function taskDefView(def: TaskDef): TaskFileDef {
  const out: Record<string, unknown> = {};
  for (const field of STORED_FIELDS) {
    if (def[field] === undefined) continue;
    const [name, shown] = taskFileField(field, def[field]);
    out[name] = shown;
  }
  out['calendars'] ??= []; // tasks saved before calendars existed list none
  return out as TaskFileDef;
}

/**
 * A history entry's diff in task-file names: `{created: def}` as the task file of that
 * time, `{field: {from, to}}` with each field renamed and its values converted.
 */
export function historyDiffView(diff: unknown): unknown {
  if (diff === null || typeof diff !== 'object' || Array.isArray(diff)) return diff;
  const record = diff as Record<string, unknown>;
  const created = record['created'];
  if (created !== null && typeof created === 'object') return { ...record, created: taskDefView(created as TaskDef) };
  const out: Record<string, unknown> = {};
  for (const [field, change] of Object.entries(record)) {
    if (change === null || typeof change !== 'object' || !('from' in change || 'to' in change)) {
      out[field] = change;
      continue;
    }
    const { from, to } = change as { from?: unknown; to?: unknown };
    const [name, before] = taskFileField(field, from);
    out[name] = { from: before, to: taskFileField(field, to)[1] };
  }
  return out;
}
