import { type Static, Type } from 'typebox';
import { Id, IsoTime, NullableIsoTime } from './common.ts';
import { RolloutView } from './rollouts.ts';
import { JobstateCountsView, RunView } from './runs.ts';

export const SummaryModule = Type.Object({
  name: Type.String(),
  icon: Type.String(),
  details: Type.String(),
  lines: Type.Array(Type.String()),
});

/** A firing that did not run: "skipped 10:05: previous run still running". */
export const SkippedNote = Type.Object({
  runId: Id,
  fireAt: IsoTime,
  reason: Type.Union([Type.String(), Type.Null()]),
  reasonText: Type.Union([Type.String(), Type.Null()]),
});

/** The first of the run's waiting or prepared jobstates, and why it waits (dueAt: until when). */
export const WaitingNote = Type.Object({
  status: Type.Enum(['waiting', 'prepared']),
  reason: Type.Union([Type.String(), Type.Null()]),
  reasonText: Type.Union([Type.String(), Type.Null()]),
  dueAt: NullableIsoTime,
  count: Type.Integer({ description: 'how many of its jobstates wait' }),
});

/**
 * One monitoring line per task (seed 001): `<icon> <task> — <details> — completion N % — <status>`.
 * The line is about the run in progress, else the latest run that was not skipped: a firing
 * its overlap policy skipped meanwhile is a note (`skipped`), not the line.
 * status: that run's while it is active, else "disabled" for a disabled task, else that
 * run's, else "idle".
 */
export const SummaryLine = Type.Object({
  taskId: Id,
  task: Type.String(),
  /** A global task's line (the global admin's; read-only to an org that opted in); absent for an org's. */
  global: Type.Optional(Type.Literal(true)),
  modules: Type.Array(SummaryModule),
  status: Type.String(),
  completion: Type.Union([Type.Integer(), Type.Null()]),
  details: Type.String(),
  counts: JobstateCountsView,
  lastRun: Type.Union([RunView, Type.Null()]),
  /** The latest run's staged rollout (wave 2/3 and its progress), when it has one. */
  rollout: Type.Optional(RolloutView),
  nextFireAt: NullableIsoTime,
  skipped: Type.Union([SkippedNote, Type.Null()], { description: 'the newest firing skipped since that run' }),
  waiting: Type.Union([WaitingNote, Type.Null()], {
    description: 'why the run in progress does not move, while nothing of it runs',
  }),
  /** Targets of the latest run waiting for their firing's wall time in their agent's zone (tz "agent"). */
  waitingLocalTime: Type.Integer(),
});
export type SummaryLine = Static<typeof SummaryLine>;
