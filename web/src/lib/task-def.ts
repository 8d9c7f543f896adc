import type { TaskDef, TaskView } from '../api/types.ts';

/** The definition part of a stored task: what PUT takes back. */
export function defOf(task: TaskView): TaskDef {
  const { id: _id, orgId: _org, version: _v, createdAt: _c, updatedAt: _u, ...def } = task;
  return def;
}

export function newTaskDef(tz: string): TaskDef {
  return {
    name: '',
    description: '',
    enabled: true,
    mode: 'pull',
    fallback: 'pull',
    schedule: { kind: 'manual', tz },
    timeslots: [],
    timeslotEnd: 'finish',
    blackouts: [],
    activeFrom: null,
    activeTill: null,
    misfire: 'once',
    concurrency: 'forbid',
    expireAfter: '1d',
    jobs: [],
    calendars: [],
  };
}
