import { parseTaskCalendars } from './calendar.ts';
import { parseDuration } from './duration.ts';
import { fieldPath, ValidationError } from './errors.ts';
import { parseLateJoin } from './late-join.ts';
import {
  DEFAULT_EXPIRE_AFTER_SECONDS,
  DEFAULT_JOB_TIMEOUT_SECONDS,
  type JobDef,
  type TargetSpec,
  type TaskDef,
} from './model.ts';
import { parseNotifyRules } from './notify.ts';
import type { ModuleRegistry } from './ports/module.ts';
import { parseRollout } from './rollout.ts';
import { compileSchedule, parseBlackouts, parseSchedule, parseTimeslots } from './schedule/index.ts';
import { readInstant } from './validate.ts';

/**
 * A definition that passed the wire schema (protocol/task-def.ts): fields known, of their
 * types, enums, lengths, list sizes and name patterns checked. Typed here only as far as
 * the normalisation below reads it; the parts it hands to their own rules stay `unknown`.
 * The protocol's type of the body is assignable to it (tsc checks it where both meet).
 */
export interface TaskDefInput {
  name: string;
  description?: string;
  enabled?: boolean;
  mode?: TaskDef['mode'];
  fallback?: TaskDef['fallback'];
  schedule?: unknown;
  timeslots?: unknown;
  timeslotEnd?: TaskDef['timeslotEnd'];
  blackouts?: unknown;
  activeFrom?: string | null;
  activeTill?: string | null;
  misfire?: TaskDef['misfire'];
  concurrency?: TaskDef['concurrency'];
  expireAfter?: string | number;
  jobs: JobDefInput[];
  notify?: unknown;
  rollout?: unknown;
  calendars?: unknown;
}

export interface JobDefInput {
  name: string;
  module: string;
  params?: Record<string, unknown>;
  targets?: { server?: true; agents?: string[]; tags?: string[]; all?: true; lateJoin?: string | number };
  delay?: string | number;
  startIf?: JobDef['startIf'];
  timeout?: string | number;
  retry?: { attempts?: number; backoff?: string | number };
}

export interface TaskDefContext {
  modules: ModuleRegistry;
  defaultTz: string;
}

/**
 * Normalises a task the wire schema checked (the Contract's shape): durations in seconds,
 * defaults filled in, and the rules a schema cannot say checked — values (durations,
 * instants, the schedule and its zone), rules across fields (activeTill after activeFrom,
 * job names unique, one target selector, where a module runs) and the module registry.
 * Throws ValidationError naming the first bad field; nothing is written before this passes.
 */
export function parseTaskDef(raw: TaskDefInput, ctx: TaskDefContext): TaskDef {
  const schedule = parseSchedule(raw.schedule ?? { kind: 'manual' }, 'schedule', ctx.defaultTz);
  compileSchedule(schedule, ctx.defaultTz);
  const activeFrom = raw.activeFrom ?? null;
  const activeTill = raw.activeTill ?? null;
  if (
    activeFrom !== null &&
    activeTill !== null &&
    readInstant(activeFrom, 'activeFrom') >= readInstant(activeTill, 'activeTill')
  ) {
    throw new ValidationError('activeTill', 'must be after activeFrom');
  }
  if (activeFrom !== null) readInstant(activeFrom, 'activeFrom');
  if (activeTill !== null) readInstant(activeTill, 'activeTill');
  const jobs = raw.jobs.map((job, i) => parseJobDef(job, fieldPath('jobs', i), ctx));
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    if (seen.has(job.name))
      throw new ValidationError(fieldPath(fieldPath('jobs', i), 'name'), `"${job.name}" is used by another job`);
    seen.add(job.name);
  });
  return {
    name: raw.name,
    description: raw.description ?? '',
    enabled: raw.enabled ?? true,
    mode: raw.mode ?? 'pull',
    fallback: raw.fallback ?? 'pull',
    schedule,
    timeslots: raw.timeslots === undefined ? [] : parseTimeslots(raw.timeslots, 'timeslots'),
    timeslotEnd: raw.timeslotEnd ?? 'finish',
    blackouts: raw.blackouts === undefined ? [] : parseBlackouts(raw.blackouts, 'blackouts'),
    activeFrom,
    activeTill,
    misfire: raw.misfire ?? 'once',
    concurrency: raw.concurrency ?? 'forbid',
    expireAfterSeconds:
      raw.expireAfter === undefined
        ? DEFAULT_EXPIRE_AFTER_SECONDS
        : parseDuration(raw.expireAfter, 'expireAfter', { min: 1 }),
    jobs,
    // Absent = the org's default rules; whether the channels exist is the server's check.
    ...(raw.notify === undefined ? {} : { notify: parseNotifyRules(raw.notify, 'notify') }),
    ...(raw.rollout == null ? {} : { rollout: parseRollout(raw.rollout, 'rollout') }),
    calendars: raw.calendars === undefined ? [] : parseTaskCalendars(raw.calendars, 'calendars'),
  };
}

function parseJobDef(raw: JobDefInput, field: string, ctx: TaskDefContext): JobDef {
  const module = ctx.modules.get(raw.module);
  if (!module) {
    const known = ctx.modules
      .list()
      .map((m) => m.name)
      .join(', ');
    throw new ValidationError(fieldPath(field, 'module'), `unknown module "${raw.module}" (known: ${known})`);
  }
  const params = module.parseParams(raw.params ?? {}, fieldPath(field, 'params'));
  const targets = parseTargets(raw.targets ?? { server: true }, fieldPath(field, 'targets'));
  const onServer = 'server' in targets;
  if (onServer && module.runsOn === 'agent')
    throw new ValidationError(fieldPath(field, 'targets'), `module "${raw.module}" runs on agents only`);
  if (!onServer && module.runsOn === 'server')
    throw new ValidationError(fieldPath(field, 'targets'), `module "${raw.module}" runs on the server only`);
  const retry = raw.retry ?? {};
  return {
    name: raw.name,
    module: raw.module,
    params,
    targets,
    delaySeconds: raw.delay === undefined ? 0 : parseDuration(raw.delay, fieldPath(field, 'delay')),
    startIf: raw.startIf ?? 'always',
    timeoutSeconds:
      raw.timeout === undefined
        ? DEFAULT_JOB_TIMEOUT_SECONDS
        : parseDuration(raw.timeout, fieldPath(field, 'timeout'), { min: 1 }),
    retryAttempts: retry.attempts ?? 0,
    retryBackoffSeconds:
      retry.backoff === undefined ? 60 : parseDuration(retry.backoff, fieldPath(field, 'retry.backoff')),
  };
}

/** Exactly one selector (a rule across the fields the schema lists as optional), then its lateJoin. */
function parseTargets(input: NonNullable<JobDefInput['targets']>, field: string): TargetSpec {
  const { lateJoin, ...selector } = input;
  const given = Object.keys(selector);
  if (given.length !== 1) throw new ValidationError(field, 'must have exactly one of server, agents, tags, all');
  const targets: TargetSpec = selector.agents
    ? { agents: selector.agents }
    : selector.tags
      ? { tags: selector.tags }
      : selector.all
        ? { all: true }
        : { server: true };
  return lateJoin === undefined ? targets : { ...targets, lateJoin: parseLateJoin(lateJoin, targets, field) };
}
