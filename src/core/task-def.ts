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
  TIMESLOT_ENDS,
} from './model.ts';
import { parseNotifyRules } from './notify.ts';
import type { ModuleRegistry } from './ports/module.ts';
import { parseRollout } from './rollout.ts';
import { compileSchedule, parseBlackouts, parseSchedule, parseTimeslots } from './schedule/index.ts';
import {
  readArray,
  readBoolean,
  readEnum,
  readInstant,
  readInteger,
  readObject,
  readString,
  readText,
} from './validate.ts';

export const TASK_FIELDS = [
  'name',
  'description',
  'enabled',
  'mode',
  'fallback',
  'schedule',
  'timeslots',
  'timeslotEnd',
  'blackouts',
  'activeFrom',
  'activeTill',
  'misfire',
  'concurrency',
  'expireAfter',
  'jobs',
  'notify',
  'rollout',
  'calendars',
] as const;
export const JOB_FIELDS = ['name', 'module', 'params', 'targets', 'delay', 'startIf', 'timeout', 'retry'] as const;
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
export const NAME_HINT = 'must be 1-100 letters, digits, spaces, . _ -';
const MAX_JOBS = 100;
const MAX_TARGET_ITEMS = 10_000;

export interface TaskDefContext {
  modules: ModuleRegistry;
  defaultTz: string;
}

/**
 * Validates a task as given by the API or a task file (the Contract's shape) and returns
 * it normalised: durations in seconds, defaults filled in, schedule checked by the core.
 * Throws ValidationError naming the first bad field; nothing is written before this passes.
 */
export function parseTaskDef(input: unknown, ctx: TaskDefContext): TaskDef {
  const raw = readObject(input, '', TASK_FIELDS);
  const name = readString(raw.name, 'name', {
    min: 1,
    max: 100,
    pattern: NAME_PATTERN,
    patternHint: NAME_HINT,
  });
  const schedule = parseSchedule(raw.schedule ?? { kind: 'manual' }, 'schedule', ctx.defaultTz);
  compileSchedule(schedule, ctx.defaultTz);
  const mode = raw.mode === undefined ? 'pull' : readEnum(raw.mode, 'mode', ['pull', 'push'] as const);
  const activeFrom = raw.activeFrom == null ? null : readString(raw.activeFrom, 'activeFrom');
  const activeTill = raw.activeTill == null ? null : readString(raw.activeTill, 'activeTill');
  if (
    activeFrom !== null &&
    activeTill !== null &&
    readInstant(activeFrom, 'activeFrom') >= readInstant(activeTill, 'activeTill')
  ) {
    throw new ValidationError('activeTill', 'must be after activeFrom');
  }
  if (activeFrom !== null) readInstant(activeFrom, 'activeFrom');
  if (activeTill !== null) readInstant(activeTill, 'activeTill');
  const jobsRaw = readArray(raw.jobs, 'jobs', MAX_JOBS);
  if (jobsRaw.length === 0) throw new ValidationError('jobs', 'must have at least one job');
  const jobs = jobsRaw.map((job, i) => parseJobDef(job, fieldPath('jobs', i), ctx));
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    if (seen.has(job.name))
      throw new ValidationError(fieldPath(fieldPath('jobs', i), 'name'), `"${job.name}" is used by another job`);
    seen.add(job.name);
  });
  return {
    name,
    description: raw.description === undefined ? '' : readText(raw.description, 'description', { max: 2000 }),
    enabled: raw.enabled === undefined ? true : readBoolean(raw.enabled, 'enabled'),
    mode,
    fallback: raw.fallback === undefined ? 'pull' : readEnum(raw.fallback, 'fallback', ['pull', 'error'] as const),
    schedule,
    timeslots: raw.timeslots === undefined ? [] : parseTimeslots(raw.timeslots, 'timeslots'),
    timeslotEnd: raw.timeslotEnd === undefined ? 'finish' : readEnum(raw.timeslotEnd, 'timeslotEnd', TIMESLOT_ENDS),
    blackouts: raw.blackouts === undefined ? [] : parseBlackouts(raw.blackouts, 'blackouts'),
    activeFrom,
    activeTill,
    misfire: raw.misfire === undefined ? 'once' : readEnum(raw.misfire, 'misfire', ['skip', 'once', 'all'] as const),
    concurrency:
      raw.concurrency === undefined
        ? 'forbid'
        : readEnum(raw.concurrency, 'concurrency', ['allow', 'forbid', 'replace', 'queue'] as const),
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

function parseJobDef(input: unknown, field: string, ctx: TaskDefContext): JobDef {
  const raw = readObject(input, field, JOB_FIELDS);
  const name = readString(raw.name, fieldPath(field, 'name'), {
    min: 1,
    max: 100,
    pattern: NAME_PATTERN,
    patternHint: NAME_HINT,
  });
  const moduleName = readString(raw.module, fieldPath(field, 'module'), { min: 1, max: 64 });
  const module = ctx.modules.get(moduleName);
  if (!module) {
    const known = ctx.modules
      .list()
      .map((m) => m.name)
      .join(', ');
    throw new ValidationError(fieldPath(field, 'module'), `unknown module "${moduleName}" (known: ${known})`);
  }
  const params = module.parseParams(raw.params ?? {}, fieldPath(field, 'params'));
  const targets = parseTargets(raw.targets ?? { server: true }, fieldPath(field, 'targets'));
  const onServer = 'server' in targets;
  if (onServer && module.runsOn === 'agent')
    throw new ValidationError(fieldPath(field, 'targets'), `module "${moduleName}" runs on agents only`);
  if (!onServer && module.runsOn === 'server')
    throw new ValidationError(fieldPath(field, 'targets'), `module "${moduleName}" runs on the server only`);
  const retry =
    raw.retry === undefined ? {} : readObject(raw.retry, fieldPath(field, 'retry'), ['attempts', 'backoff']);
  return {
    name,
    module: moduleName,
    params,
    targets,
    delaySeconds: raw.delay === undefined ? 0 : parseDuration(raw.delay, fieldPath(field, 'delay')),
    startIf:
      raw.startIf === undefined
        ? 'always'
        : readEnum(raw.startIf, fieldPath(field, 'startIf'), ['always', 'success', 'failure'] as const),
    timeoutSeconds:
      raw.timeout === undefined
        ? DEFAULT_JOB_TIMEOUT_SECONDS
        : parseDuration(raw.timeout, fieldPath(field, 'timeout'), { min: 1 }),
    retryAttempts:
      retry.attempts === undefined ? 0 : readInteger(retry.attempts, fieldPath(field, 'retry.attempts'), 0, 100),
    retryBackoffSeconds:
      retry.backoff === undefined ? 60 : parseDuration(retry.backoff, fieldPath(field, 'retry.backoff')),
  };
}

export function parseTargets(input: unknown, field: string): TargetSpec {
  const { lateJoin, ...raw } = readObject(input, field, ['server', 'agents', 'tags', 'all', 'lateJoin']);
  const targets = parseSelector(raw, field);
  return lateJoin === undefined ? targets : { ...targets, lateJoin: parseLateJoin(lateJoin, targets, field) };
}

function parseSelector(raw: Record<string, unknown>, field: string): TargetSpec {
  const keys = Object.keys(raw);
  if (keys.length !== 1) throw new ValidationError(field, 'must have exactly one of server, agents, tags, all');
  if (raw.server !== undefined) {
    if (raw.server !== true) throw new ValidationError(fieldPath(field, 'server'), 'must be true');
    return { server: true };
  }
  if (raw.all !== undefined) {
    if (raw.all !== true) throw new ValidationError(fieldPath(field, 'all'), 'must be true');
    return { all: true };
  }
  const key = keys[0] as 'agents' | 'tags';
  const list = readArray(raw[key], fieldPath(field, key), MAX_TARGET_ITEMS).map((v, i) =>
    readText(v, fieldPath(fieldPath(field, key), i), { min: 1, max: 100 }),
  );
  if (list.length === 0) throw new ValidationError(fieldPath(field, key), 'must not be empty');
  return key === 'agents' ? { agents: list } : { tags: list };
}
