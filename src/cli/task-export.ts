import { JOB_FIELDS, TASK_FIELDS } from '../protocol/task-def.ts';
import type { TaskView } from '../protocol/tasks.ts';

/** The definition fields only, in the order of the wire schema (protocol/task-def.ts). */
export function taskFileOf(view: TaskView): Record<string, unknown> {
  const record = view as unknown as Record<string, unknown>;
  const def: Record<string, unknown> = {};
  for (const field of TASK_FIELDS) {
    if (record[field] !== undefined && record[field] !== null) def[field] = record[field];
  }
  def['jobs'] = view.jobs.map((job) => {
    const out: Record<string, unknown> = {};
    for (const field of JOB_FIELDS) {
      const value = (job as Record<string, unknown>)[field];
      if (value !== undefined && value !== null) out[field] = value;
    }
    return out;
  });
  return def;
}

/** Task files as YAML (`task export`, `task show`): what `task apply -f` reads back. */
export async function taskFileYaml(defs: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(defs, { lineWidth: 0 });
}
