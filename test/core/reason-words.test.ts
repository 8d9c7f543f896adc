// The one table of reason words (shared by the server's views and the CLI), the reason a
// prepared job shows when its agent is away, and completion counting only work that ran.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobstateCounts } from '../../src/core/ports/store.ts';
import { REASON_WORDS, reasonWords, shownReason, whyInWords } from '../../src/core/reason-words.ts';
import { runProgress } from '../../src/core/sequencing.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const time = (iso: string) => iso.slice(11, 16);

test('every reason a jobstate or a run can carry has words, and no word is a code', () => {
  const codes = [
    // JobstateReason (core/model.ts)
    ...['delay', 'waiting_previous', 'timeslot_closed', 'postponed', 'retry_backoff', 'run_queued'],
    ...['start_if_unmet', 'timeout', 'expired', 'agent_unreachable', 'agent_lost', 'module_failed'],
    ...['module_unknown', 'over_budget', 'interrupted', 'cancelled_by_user', 'replaced', 'overlap', 'unneeded'],
    // run status reasons, fleet scheduling, and the ones monitoring derives
    ...['task_deleted', 'no_targets', 'misfire', 'local_time', 'rollout_wave', 'rollout_halted'],
    ...['agent_next_contact', 'agent_overdue', 'agent_never_seen', 'agent_disabled'],
  ];
  for (const code of codes) {
    const words = REASON_WORDS[code];
    assert.ok(words, `${code} has words`);
    assert.doesNotMatch(words, /_/, code);
  }
  assert.equal(reasonWords('start_if_unmet'), 'start condition not met');
  assert.equal(reasonWords('some_new_code'), 'some new code', 'a newer code still reads as words');
  assert.equal(reasonWords(null), null);
});

test('a waiting job says until when it waits; past or absent dueAt adds nothing', () => {
  const view = { status: 'waiting', reason: 'timeslot_closed', reasonText: 'timeslot closed' };
  const ctx = { now: NOW, time };
  assert.equal(whyInWords({ ...view, dueAt: '2026-12-01T19:00:00.000Z' }, ctx), 'timeslot closed until 19:00');
  assert.equal(whyInWords({ ...view, dueAt: '2026-12-01T09:00:00.000Z' }, ctx), 'timeslot closed');
  assert.equal(
    whyInWords({ status: 'waiting', reason: 'local_time', reasonText: null, dueAt: '2026-12-01T11:00:00.000Z' }, ctx),
    "waiting for the agent's local time until 11:00",
  );
  assert.equal(
    whyInWords({ status: 'prepared', reason: null, reasonText: 'x', dueAt: '2026-12-01T11:00:00.000Z' }, ctx),
    'x',
  );
});

test('a prepared agent job shows its agent disabled, never seen or overdue; otherwise its own reason', () => {
  const js = { status: 'prepared' as const, reason: null, runner: 'agent' as const };
  const agent = { enabled: true, lastContactAt: NOW - 10_000, contactSeconds: 60 };
  assert.equal(shownReason(js, agent, NOW), 'agent_next_contact');
  assert.equal(shownReason(js, { ...agent, lastContactAt: NOW - 5 * 60_000 }, NOW), 'agent_overdue');
  assert.equal(shownReason(js, { ...agent, lastContactAt: null }, NOW), 'agent_never_seen');
  assert.equal(shownReason(js, { ...agent, enabled: false }, NOW), 'agent_disabled');
  const waiting = { ...js, status: 'waiting' as const, reason: 'delay' as const };
  assert.equal(shownReason(waiting, { ...agent, lastContactAt: null }, NOW), 'delay');
  assert.equal(shownReason({ ...js, runner: 'server' }, null, NOW), null);
  assert.equal(shownReason(js, null, NOW), 'agent_next_contact', 'agent not read (an event)');
});

const counts = (c: Partial<JobstateCounts>): JobstateCounts => ({
  waiting: 0,
  prepared: 0,
  running: 0,
  finished: 0,
  error: 0,
  cancelled: 0,
  skipped: 0,
  ...c,
});

test('completion counts only work that ran: cancelled is not done, skipped is not work', () => {
  assert.equal(runProgress(counts({ cancelled: 4 })).completion, 0, 'a run cancelled before anything ran');
  assert.equal(runProgress(counts({ finished: 1, cancelled: 3 })).completion, 25);
  assert.equal(runProgress(counts({ skipped: 1 })).completion, null, 'a skipped firing did no work');
  assert.equal(runProgress(counts({ finished: 2, skipped: 1 })).completion, 100, 'start_if skips are not missing work');
  assert.equal(runProgress(counts({ finished: 1, error: 1 })).completion, 100);
  assert.equal(runProgress(counts({ finished: 1, running: 1 })).completion, 50);
  assert.equal(runProgress(counts({})).completion, null);
});
