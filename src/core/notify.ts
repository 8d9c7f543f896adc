// Notification rules and messages: which run ends are told to which channels, and what the
// message says. Pure: the engine queues and delivers, the server sends (webhook, email).
import { fieldPath, ValidationError } from './errors.ts';
import { NOTIFY_ON, type NotifyOn, type NotifyRule, type Run, type RunStatus } from './model.ts';
import { readArray, readEnum, readObject, readString } from './validate.ts';

/** Channel names: what rules refer to. */
export const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const CHANNEL_NAME_HINT = 'must be 1-64 letters, digits, . _ - (starting with a letter or digit)';
const MAX_RULES = 20;
const MAX_CHANNELS_PER_RULE = 20;

/** A failed end: what a rule `on: ["error"]` covers besides plain errors. */
const FAILED_ENDS: readonly NotifyOn[] = ['error', 'halted', 'timeout'];
/** Run statuses that are told at all; cancelled and skipped runs are someone's decision, not news. */
export const NOTIFIED_RUN_STATUSES: readonly RunStatus[] = ['finished', 'error', 'missed'];

/** Validates a list of rules (a task's `notify`, an org's defaults); errors name the field (`notify[0].on[1]`). */
export function parseNotifyRules(input: unknown, field: string): NotifyRule[] {
  return readArray(input, field, MAX_RULES).map((raw, i) => {
    const at = fieldPath(field, i);
    const rule = readObject(raw, at, ['on', 'channels', 'when']);
    const on = nonEmptyList(rule.on, fieldPath(at, 'on'), NOTIFY_ON.length, (v, f) => readEnum(v, f, NOTIFY_ON));
    const channels = nonEmptyList(rule.channels, fieldPath(at, 'channels'), MAX_CHANNELS_PER_RULE, (v, f) =>
      readString(v, f, { min: 1, max: 64, pattern: CHANNEL_NAME_PATTERN, patternHint: CHANNEL_NAME_HINT }),
    );
    const when = rule.when === undefined ? 'always' : readEnum(rule.when, fieldPath(at, 'when'), ['always', 'changed']);
    return { on, channels, when };
  });
}

function nonEmptyList<T>(value: unknown, field: string, max: number, read: (v: unknown, f: string) => T): T[] {
  if (value === undefined) throw new ValidationError(field, 'is required');
  const items = readArray(value, field, max).map((v, i) => read(v, fieldPath(field, i)));
  if (items.length === 0) throw new ValidationError(field, 'must not be empty');
  return [...new Set(items)];
}

/**
 * How a run ended, as rules name it: `missed`, `finished`, or for a run in error `halted`
 * (a rollout stopped it), `timeout` (a target ran out of time) or plain `error`. Null for
 * ends no one is told about (cancelled, skipped) and for runs not over.
 */
export function runEndKind(
  run: Pick<Run, 'status' | 'statusReason'>,
  failedReasons: readonly (string | null)[],
): NotifyOn | null {
  if (run.status === 'missed' || run.status === 'finished') return run.status;
  if (run.status !== 'error') return null;
  if (run.statusReason === 'rollout_halted') return 'halted';
  return failedReasons.includes('timeout') ? 'timeout' : 'error';
}

/** Whether a rule's `on` covers an end: each names itself; `error` also covers halted and timeout. */
export function covers(on: readonly NotifyOn[], kind: NotifyOn): boolean {
  return on.includes(kind) || (on.includes('error') && FAILED_ENDS.includes(kind));
}

/**
 * The channels to tell of a run end, each once: those of every rule covering it that says
 * `always`, or `changed` when the run's outcome differs from the previous run's.
 */
export function channelsToNotify(rules: readonly NotifyRule[], kind: NotifyOn, changed: boolean): string[] {
  const names = new Set<string>();
  for (const rule of rules) {
    if (covers(rule.on, kind) && (rule.when === 'always' || changed)) for (const name of rule.channels) names.add(name);
  }
  return [...names];
}

/** One target that failed in the run. */
export interface FailedTarget {
  /** The agent's name, or "server". */
  agent: string;
  agentId: string | null;
  job: string;
  reason: string | null;
}

/** One run end, as a webhook receives it (the server adds `run.url`). Times are ISO-8601. */
export interface RunEvent {
  event: `run.${NotifyOn}`;
  summary: string;
  task: { id: string; name: string };
  run: {
    id: string;
    status: RunStatus;
    reason: string;
    statusReason: string | null;
    counts: Record<string, number>;
    completion: number | null;
    fireAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    url?: string | null;
  };
  /** The monitoring line: task — module details — completion — status. */
  line: string;
  /** The first MAX_FAILED failed targets; `failedTotal` counts them all. */
  failed: FailedTarget[];
  failedTotal: number;
}

export const MAX_FAILED = 50;
/** Events a digest carries in full; the others are counted. */
export const MAX_DIGEST_EVENTS = 100;

/** Several run ends of one channel's digest window, in one message. */
export interface DigestMessage {
  event: 'digest';
  summary: string;
  count: number;
  /** How many of each event (`run.error`: 10…). */
  counts: Record<string, number>;
  events: RunEvent[];
  /** Events counted but not carried (past MAX_DIGEST_EVENTS). */
  omitted: number;
}

/** What `taskwarden channel test` sends. */
export interface TestMessage {
  event: 'test';
  summary: string;
  channel: { id: string; name: string };
}

export type MessageContent = RunEvent | DigestMessage | TestMessage;

const SINGLE: Record<NotifyOn, string> = {
  error: 'ended in error',
  halted: 'was halted',
  timeout: 'timed out',
  missed: 'was missed',
  finished: 'finished',
};
const PLURAL: Record<NotifyOn, string> = {
  error: 'ended in error',
  halted: 'were halted',
  timeout: 'timed out',
  missed: 'were missed',
  finished: 'finished',
};
const PART: Record<NotifyOn, string> = {
  error: 'in error',
  halted: 'halted',
  timeout: 'timed out',
  missed: 'missed',
  finished: 'finished',
};

const kindOf = (event: RunEvent): NotifyOn => event.event.slice('run.'.length) as NotifyOn;

/** "office-apps: run ended in error (3 of 40 targets failed)". */
export function runEventSummary(task: string, kind: NotifyOn, failed: number, total: number): string {
  const failures = failed > 0 ? ` (${failed} of ${total} targets failed)` : '';
  return `${task}: run ${SINGLE[kind]}${failures}`;
}

/** The message of one channel's queued events: the event itself, or a digest of them all. */
export function composeMessage(events: readonly RunEvent[], windowMs: number): MessageContent {
  const [first] = events;
  if (events.length === 1 && first) return first;
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.event] = (counts[event.event] ?? 0) + 1;
  return {
    event: 'digest',
    summary: digestSummary(events.map(kindOf), windowMs),
    count: events.length,
    counts,
    events: events.slice(0, MAX_DIGEST_EVENTS),
    omitted: Math.max(0, events.length - MAX_DIGEST_EVENTS),
  };
}

/** "12 runs ended in error in the last minute"; mixed: "12 runs ended in the last minute: 10 in error, 2 finished". */
export function digestSummary(kinds: readonly NotifyOn[], windowMs: number): string {
  const window = `in the last ${windowText(windowMs)}`;
  const byKind = new Map<NotifyOn, number>();
  for (const kind of kinds) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  const [only] = byKind.keys();
  if (byKind.size === 1 && only) return `${kinds.length} runs ${PLURAL[only]} ${window}`;
  const parts = NOTIFY_ON.filter((k) => byKind.has(k)).map((k) => `${byKind.get(k)} ${PART[k]}`);
  return `${kinds.length} runs ended ${window}: ${parts.join(', ')}`;
}

function windowText(ms: number): string {
  if (ms <= 1000) return 'second';
  if (ms < 60_000) return `${Math.round(ms / 1000)} seconds`;
  const minutes = Math.round(ms / 60_000);
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}
