import type { TaskDef, TaskView } from '../api/types.ts';

/**
 * The definition part of a stored task: what PUT takes back. The view's schedule and
 * targets are plain objects in the response schema (its serializer does not tell the kinds
 * apart); they are what the body's schema accepted, normalised (server/task-file-view.ts).
 */
export function defOf(task: TaskView): TaskDef {
  const { id: _id, orgId: _org, version: _v, createdAt: _c, updatedAt: _u, ...def } = task;
  return def as TaskDef;
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
