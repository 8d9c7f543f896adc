import { AGENT_LONG_POLL_MAX_SECONDS } from './agent-contact.ts';
import type { Agent, Jobstate, Run, Task } from './model.ts';

/**
 * "Why isn't it running?" for an agent's jobstates, in words and a stable code, from the
 * records alone (no I/O): the route gathers them, this decides. Also where an agent's
 * presence (online/offline) is defined, so the list and the diagnostics agree.
 */

/**
 * An agent calls at least once per contact period: every `contactSeconds` (±10 % jitter),
 * or, long-polling, each time a poll of at most AGENT_LONG_POLL_MAX_SECONDS ends. It is
 * online while its last contact is within one such period plus this margin (the jitter,
 * lastContactAt being rewritten at most every 5 s, a slow request), offline after.
 */
const PRESENCE_MARGIN_MS = 15_000;

/** How long an agent may stay quiet and still count as online (see PRESENCE_MARGIN_MS). */
export function presenceWindowMs(agent: Pick<Agent, 'contactSeconds'>): number {
  const period = Math.max(agent.contactSeconds, AGENT_LONG_POLL_MAX_SECONDS) * 1000;
  return Math.round(period * 1.1) + PRESENCE_MARGIN_MS;
}

export type AgentPresence = 'online' | 'offline' | 'never';

type PresenceFields = Pick<Agent, 'lastContactAt' | 'contactSeconds'>;

export function agentPresence(agent: PresenceFields, now: number): AgentPresence {
  if (agent.lastContactAt === null) return 'never';
  const quietFor = now - agent.lastContactAt;
  return quietFor <= presenceWindowMs(agent) ? 'online' : 'offline';
}

/** When the agent said it would call again: its last contact plus its contact period. */
export function nextContactAt(agent: PresenceFields): number | null {
  return agent.lastContactAt === null ? null : agent.lastContactAt + agent.contactSeconds * 1000;
}

export type DiagnosisCode =
  | 'run_queued'
  | 'delay'
  | 'local_time'
  | 'waiting_previous'
  | 'timeslot_closed'
  | 'postponed'
  | 'retry_backoff'
  | 'due'
  | 'prepared'
  | 'agent_disabled'
  | 'wake_failed'
  | 'running';

export interface Diagnosis {
  code: DiagnosisCode;
  message: string;
  /** When the wait ends by itself, if it has a known end (a delay, a closed timeslot, a backoff). */
  until: number | null;
}

export interface DiagnosisInput {
  now: number;
  jobstate: Pick<
    Jobstate,
    'status' | 'reason' | 'dueAt' | 'preparedAt' | 'startedAt' | 'attempt' | 'timeoutSeconds' | 'jobIndex' | 'module'
  > &
    Partial<Pick<Jobstate, 'progress' | 'windowClosesAt'>>;
  run: Pick<Run, 'status' | 'startAt'> | null;
  task: (Pick<Task, 'mode' | 'expireAfterSeconds' | 'jobs'> & Partial<Pick<Task, 'timeslotEnd'>>) | null;
  agent: Pick<Agent, 'enabled' | 'lastContactAt' | 'contactSeconds' | 'lastWakeError' | 'lastWakeErrorAt'>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Why a non-terminal jobstate of an agent is not running yet (or, when running, since when). */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const { jobstate: js } = input;
  if (js.status === 'prepared') return diagnosePrepared(input);
  if (js.status === 'running') return diagnoseRunning(input);
  return diagnoseWaiting(input);
}

function diagnoseWaiting({ now, jobstate: js, run, task }: DiagnosisInput): Diagnosis {
  const due = js.dueAt;
  if (run?.status === 'pending' || js.reason === 'run_queued') {
    if (run && run.startAt > now) return say('run_queued', `run queued: it starts at ${iso(run.startAt)}`, run.startAt);
    return say('run_queued', 'run queued behind another run of the task (its concurrency policy)');
  }
  switch (js.reason) {
    case 'delay':
      if (due !== null && due > now) return say('delay', `delay until ${iso(due)}`, due);
      break;
    case 'local_time':
      if (due !== null && due > now) {
        return say('local_time', `waiting for the firing's wall time in the agent's zone: ${iso(due)}`, due);
      }
      break;
    case 'waiting_previous': {
      const previous = task?.jobs[js.jobIndex - 1]?.name;
      const startIf = task?.jobs[js.jobIndex]?.startIf ?? 'always';
      const what = previous === undefined ? 'the previous job' : `job "${previous}"`;
      return say('waiting_previous', `waiting on ${what} (startIf ${startIf})`);
    }
    case 'timeslot_closed':
      if (due !== null) return say('timeslot_closed', `timeslot closed until ${iso(due)}`, due);
      return say('timeslot_closed', 'timeslot closed');
    case 'postponed':
      return say(
        'postponed',
        `postponed behind another "${js.module}" job: that module runs one job at a time in the org`,
      );
    case 'retry_backoff':
      if (due !== null && due > now) {
        return say('retry_backoff', `retry backoff until ${iso(due)} (attempt ${js.attempt})`, due);
      }
      break;
  }
  return say('due', 'due now: the engine prepares it on its next pass');
}

function diagnosePrepared({ now, jobstate: js, task, agent }: DiagnosisInput): Diagnosis {
  const since = `prepared since ${iso(js.preparedAt ?? now)}`;
  const expiresAt = task && js.preparedAt !== null ? js.preparedAt + task.expireAfterSeconds * 1000 : null;
  const closes =
    js.windowClosesAt == null ? '' : `; its timeslot closes at ${iso(js.windowClosesAt)}, no agent gets it after`;
  const expiry = `${closes}${expiresAt === null ? '' : `; it expires at ${iso(expiresAt)}`}`;
  if (!agent.enabled) {
    return say('agent_disabled', `${since}, but the agent is disabled: it gets no job until it is enabled${expiry}`);
  }
  const contact = contactWords(agent, now);
  if (task?.mode === 'push' && agent.lastWakeError !== null) {
    const when = agent.lastWakeErrorAt === null ? '' : ` at ${iso(agent.lastWakeErrorAt)}`;
    return say('wake_failed', `${since} — wake failed because ${agent.lastWakeError}${when} — ${contact}${expiry}`);
  }
  return say('prepared', `${since} — ${contact}${expiry}`);
}

function contactWords(agent: DiagnosisInput['agent'], now: number): string {
  if (agent.lastContactAt === null) return 'the agent has never contacted the server';
  const next = nextContactAt(agent) as number;
  const expected = next < now ? `expected at ${iso(next)}, overdue` : `next expected at ${iso(next)}`;
  return `agent last contacted at ${iso(agent.lastContactAt)} (${expected})`;
}

function diagnoseRunning({ now, jobstate: js, task }: DiagnosisInput): Diagnosis {
  const started = js.startedAt ?? now;
  const timeoutAt = started + js.timeoutSeconds * 1000;
  const progress = js.progress
    ? `, ${js.progress.percent} %${js.progress.message ? ` (${js.progress.message})` : ''}`
    : '';
  const closes = js.windowClosesAt ?? null;
  const cancelled =
    task?.timeslotEnd === 'cancel' && closes !== null && closes > now
      ? `; cancelled when its timeslot closes at ${iso(closes)}`
      : '';
  return say(
    'running',
    `running on the agent since ${iso(started)}${progress}; times out at ${iso(timeoutAt)}${cancelled}`,
    timeoutAt,
  );
}

function say(code: DiagnosisCode, message: string, until: number | null = null): Diagnosis {
  return { code, message, until };
}
