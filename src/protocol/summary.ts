import { type Static, Type } from 'typebox';
import { Id, NullableIsoTime } from './common.ts';
import { JobstateCountsView, RunView } from './runs.ts';

export const SummaryModule = Type.Object({
  name: Type.String(),
  icon: Type.String(),
  details: Type.String(),
  lines: Type.Array(Type.String()),
});

/**
 * One monitoring line per task (seed 001): `<icon> <task> — <details> — completion N % — <status>`.
 * status: the latest run's while it is active, else "disabled" for a disabled task, else
 * the latest run's, else "idle".
 */
export const SummaryLine = Type.Object({
  taskId: Id,
  task: Type.String(),
  modules: Type.Array(SummaryModule),
  status: Type.String(),
  completion: Type.Union([Type.Integer(), Type.Null()]),
  details: Type.String(),
  counts: JobstateCountsView,
  lastRun: Type.Union([RunView, Type.Null()]),
  nextFireAt: NullableIsoTime,
  /** Targets of the latest run waiting for their firing's wall time in their agent's zone (tz "agent"). */
  waitingLocalTime: Type.Integer(),
});
export type SummaryLine = Static<typeof SummaryLine>;
