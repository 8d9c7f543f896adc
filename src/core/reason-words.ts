// Every machine-readable reason (a jobstate's `reason`, a run's `statusReason`, and the
// reasons monitoring derives itself) in the words people read. One table: the server puts
// these words in its views (the web UI shows them as they come, it imports no server
// code), the CLI reads them here. Words say why, without times: a client appends "until
// HH:MM" from the view's `dueAt`, in its reader's zone.
import { agentPresence } from './diagnostics.ts';
import type { Agent, Jobstate } from './model.ts';

/** Reasons monitoring derives from other records (they are never stored on a jobstate). */
export type DerivedReason = 'agent_next_contact' | 'agent_overdue' | 'agent_never_seen' | 'agent_disabled';

export const REASON_WORDS: Readonly<Record<string, string>> = {
  // Why a jobstate waits (status waiting)
  delay: 'delay',
  waiting_previous: 'waiting for the previous job to end',
  timeslot_closed: 'timeslot closed',
  postponed: 'postponed: its module runs one job at a time in the org',
  retry_backoff: 'waiting to retry',
  run_queued: 'queued behind another run of the task',
  local_time: "waiting for the agent's local time",
  rollout_wave: 'waiting for its rollout wave',
  // Why a prepared jobstate does not start (derived from its agent)
  agent_next_contact: 'ready: its agent takes it at its next contact',
  agent_overdue: 'its agent is overdue: no contact within its contact period',
  agent_never_seen: 'its agent has never contacted the server',
  agent_disabled: 'its agent is disabled',
  // Why a jobstate or a run ended as it did
  start_if_unmet: 'start condition not met',
  timeout: 'timed out',
  expired: 'expired: no agent took it in time',
  agent_unreachable: 'agent unreachable',
  agent_lost: 'agent lost while running it',
  module_failed: 'the module failed',
  module_unknown: 'unknown module',
  over_budget: 'over its time budget',
  interrupted: 'interrupted',
  cancelled_by_user: 'cancelled by a user',
  replaced: 'replaced by a newer run',
  overlap: 'previous run still running',
  unneeded: 'nothing to do',
  rollout_halted: 'rollout halted: too many failures',
  task_deleted: 'its task was deleted',
  no_targets: 'no target matched',
  misfire: 'missed while the server was down',
};

/** The words for a reason code; an unknown code (a newer server) reads as its code, spaced. */
export function reasonWords(code: string | null | undefined): string | null {
  if (!code) return null;
  return REASON_WORDS[code] ?? code.replaceAll('_', ' ');
}

/** A jobstate's reason in words, with what only the jobstate knows: which rollout wave it waits for. */
export function jobstateReasonWords(reason: string | null, js: Pick<Jobstate, 'wave'>): string | null {
  if (reason === 'rollout_wave' && js.wave !== undefined) return `waiting for rollout wave ${js.wave}`;
  return reasonWords(reason);
}

/**
 * "delay until 10:05", "timeslot closed until 19:00", "its agent is overdue: …": why a
 * jobstate is where it is. A waiting jobstate whose `dueAt` is ahead waits until then
 * (whatever its reason); `time` formats it in the reader's zone.
 */
export function whyInWords(
  view: { status: string; reason: string | null; reasonText: string | null; dueAt: string | null },
  ctx: { now: number; time: (iso: string) => string },
): string {
  const words = view.reasonText ?? reasonWords(view.reason) ?? '';
  if (view.status !== 'waiting' || view.dueAt === null || Date.parse(view.dueAt) <= ctx.now) return words;
  return `${words || 'waiting'} until ${ctx.time(view.dueAt)}`;
}

/**
 * The reason a jobstate shows: its own, except that a prepared one waiting on an agent that
 * is disabled, never called or is overdue (offline: no contact within its contact period,
 * see agentPresence) says so, the agent page's explanation brought to the job; with its
 * agent online (or not read: an event), that the agent takes it at its next contact.
 */
export function shownReason(
  js: Pick<Jobstate, 'status' | 'reason' | 'runner'>,
  agent: Pick<Agent, 'enabled' | 'lastContactAt' | 'contactSeconds'> | null,
  now: number,
): string | null {
  if (js.status !== 'prepared' || js.runner !== 'agent') return js.reason;
  if (agent === null) return js.reason ?? ('agent_next_contact' satisfies DerivedReason);
  if (!agent.enabled) return 'agent_disabled' satisfies DerivedReason;
  const presence = agentPresence(agent, now);
  if (presence === 'never') return 'agent_never_seen' satisfies DerivedReason;
  if (presence === 'offline') return 'agent_overdue' satisfies DerivedReason;
  return js.reason ?? ('agent_next_contact' satisfies DerivedReason);
}
