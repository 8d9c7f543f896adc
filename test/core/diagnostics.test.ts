// "Why isn't it running?": one case per waiting reason, with the words and the code, and
// the presence rule the agent list shares.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  agentPresence,
  type DiagnosisInput,
  diagnose,
  nextContactAt,
  presenceWindowMs,
} from '../../src/core/diagnostics.ts';
import type { JobDef, StartIf } from '../../src/core/model.ts';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

function job(name: string, startIf: StartIf): JobDef {
  return {
    name,
    module: 'deploy',
    params: {},
    targets: { all: true },
    delaySeconds: 0,
    startIf,
    timeoutSeconds: 3600,
    retryAttempts: 0,
    retryBackoffSeconds: 0,
  };
}

const base: DiagnosisInput = {
  now: NOW,
  jobstate: {
    status: 'waiting',
    reason: null,
    dueAt: null,
    preparedAt: null,
    startedAt: null,
    attempt: 1,
    timeoutSeconds: 3600,
    jobIndex: 1,
    module: 'deploy',
  },
  run: { status: 'running', startAt: NOW - 10 * MIN },
  task: {
    mode: 'pull',
    expireAfterSeconds: 86_400,
    jobs: [job('wake', 'always'), job('install', 'success')],
  },
  agent: {
    enabled: true,
    lastContactAt: NOW - 2 * MIN,
    contactSeconds: 300,
    lastWakeError: null,
    lastWakeErrorAt: null,
  },
};

function why(over: {
  jobstate?: Partial<DiagnosisInput['jobstate']>;
  run?: DiagnosisInput['run'];
  task?: Partial<NonNullable<DiagnosisInput['task']>>;
  agent?: Partial<DiagnosisInput['agent']>;
}) {
  return diagnose({
    ...base,
    jobstate: { ...base.jobstate, ...over.jobstate },
    run: over.run === undefined ? base.run : over.run,
    task: { ...(base.task as NonNullable<DiagnosisInput['task']>), ...over.task },
    agent: { ...base.agent, ...over.agent },
  });
}

describe('diagnostics', () => {
  test('a run not started yet: queued until its start, or behind another run', () => {
    assert.deepEqual(why({ jobstate: { reason: 'run_queued' }, run: { status: 'pending', startAt: NOW + 5 * MIN } }), {
      code: 'run_queued',
      message: 'run queued: it starts at 2026-12-01T10:05:00.000Z',
      until: NOW + 5 * MIN,
    });
    assert.equal(
      why({ jobstate: { reason: 'run_queued' }, run: { status: 'pending', startAt: NOW - MIN } }).message,
      'run queued behind another run of the task (its concurrency policy)',
    );
  });

  test('delay, closed timeslot and retry backoff say until when', () => {
    const later = at('2026-12-01T12:00:00Z');
    assert.deepEqual(why({ jobstate: { reason: 'delay', dueAt: later } }), {
      code: 'delay',
      message: 'delay until 2026-12-01T12:00:00.000Z',
      until: later,
    });
    assert.deepEqual(why({ jobstate: { reason: 'timeslot_closed', dueAt: later } }), {
      code: 'timeslot_closed',
      message: 'timeslot closed until 2026-12-01T12:00:00.000Z',
      until: later,
    });
    assert.deepEqual(why({ jobstate: { reason: 'retry_backoff', dueAt: later, attempt: 3 } }), {
      code: 'retry_backoff',
      message: 'retry backoff until 2026-12-01T12:00:00.000Z (attempt 3)',
      until: later,
    });
  });

  test('waiting on the previous job names it and the startIf', () => {
    assert.deepEqual(why({ jobstate: { reason: 'waiting_previous' } }), {
      code: 'waiting_previous',
      message: 'waiting on job "wake" (startIf success)',
      until: null,
    });
    assert.equal(
      why({ jobstate: { reason: 'waiting_previous', jobIndex: 5 } }).message,
      'waiting on the previous job (startIf always)',
    );
  });

  test('postponed behind a serial module', () => {
    assert.deepEqual(why({ jobstate: { reason: 'postponed' } }), {
      code: 'postponed',
      message: 'postponed behind another "deploy" job: that module runs one job at a time in the org',
      until: null,
    });
  });

  test('a delay or backoff that is over, or no reason at all: due now', () => {
    assert.equal(why({ jobstate: { reason: 'delay', dueAt: NOW - 1 } }).code, 'due');
    assert.equal(
      why({ jobstate: { reason: null, dueAt: NOW } }).message,
      'due now: the engine prepares it on its next pass',
    );
  });

  test('prepared: since when, the agent’s last and next contact, and when it expires', () => {
    const prepared = { status: 'prepared' as const, preparedAt: NOW - 30 * MIN };
    assert.deepEqual(why({ jobstate: prepared }), {
      code: 'prepared',
      message:
        'prepared since 2026-12-01T09:30:00.000Z — agent last contacted at 2026-12-01T09:58:00.000Z ' +
        '(next expected at 2026-12-01T10:03:00.000Z); it expires at 2026-12-02T09:30:00.000Z',
      until: null,
    });
    assert.match(
      why({ jobstate: prepared, agent: { lastContactAt: NOW - 60 * MIN } }).message,
      /\(expected at 2026-12-01T09:05:00.000Z, overdue\)/,
    );
    assert.match(why({ jobstate: prepared, agent: { lastContactAt: null } }).message, /has never contacted the server/);
  });

  test('prepared for a push task whose wake failed says why; a disabled agent says so first', () => {
    const prepared = { status: 'prepared' as const, preparedAt: NOW - 30 * MIN };
    const failed = { lastWakeError: 'http://pc:62354/wake: ECONNREFUSED', lastWakeErrorAt: NOW - 29 * MIN };
    const push = why({ jobstate: prepared, task: { mode: 'push' }, agent: failed });
    assert.equal(push.code, 'wake_failed');
    assert.match(
      push.message,
      /^prepared since .* — wake failed because http:\/\/pc:62354\/wake: ECONNREFUSED at 2026-12-01T09:31:00.000Z — agent last contacted/,
    );
    assert.equal(why({ jobstate: prepared, task: { mode: 'pull' }, agent: failed }).code, 'prepared');
    const disabled = why({ jobstate: prepared, agent: { ...failed, enabled: false } });
    assert.equal(disabled.code, 'agent_disabled');
    assert.match(disabled.message, /the agent is disabled: it gets no job until it is enabled/);
  });

  test('running: since when, its progress and its timeout', () => {
    const running = why({
      jobstate: {
        status: 'running',
        startedAt: NOW - 5 * MIN,
        progress: { percent: 40, message: 'copying', at: NOW },
      },
    });
    assert.deepEqual(running, {
      code: 'running',
      message:
        'running on the agent since 2026-12-01T09:55:00.000Z, 40 % (copying); times out at 2026-12-01T10:55:00.000Z',
      until: NOW + 55 * MIN,
    });
  });

  test('a closing timeslot: no agent gets prepared work after it; running work of a cancelling task ends at it', () => {
    const closes = NOW + 12 * MIN;
    const prepared = why({ jobstate: { status: 'prepared', preparedAt: NOW - MIN, windowClosesAt: closes } });
    assert.match(
      prepared.message,
      /; its timeslot closes at 2026-12-01T10:12:00.000Z, no agent gets it after; it expires at /,
    );
    const running = { status: 'running' as const, startedAt: NOW - 5 * MIN, windowClosesAt: closes };
    assert.match(
      why({ jobstate: running, task: { timeslotEnd: 'cancel' } }).message,
      /; times out at 2026-12-01T10:55:00.000Z; cancelled when its timeslot closes at 2026-12-01T10:12:00.000Z$/,
    );
    assert.match(why({ jobstate: running, task: { timeslotEnd: 'finish' } }).message, /times out at [^;]*$/);
  });

  test('presence: online within one contact period plus a margin, offline after, never before the first', () => {
    const agent = { lastContactAt: NOW, contactSeconds: 60 };
    assert.equal(agentPresence({ ...agent, lastContactAt: null }, NOW), 'never');
    // one period: 60 s (+10 % jitter) + 15 s margin; it was 3 min (two periods and a long poll)
    assert.equal(presenceWindowMs(agent), 81_000);
    assert.equal(agentPresence(agent, NOW + 81_000), 'online');
    assert.equal(agentPresence(agent, NOW + 81_001), 'offline');
    // a long-polling agent calls at least every long poll, whatever its contactSeconds
    assert.equal(presenceWindowMs({ contactSeconds: 10 }), 81_000);
    assert.equal(presenceWindowMs({ contactSeconds: 600 }), 675_000);
    assert.equal(nextContactAt(agent), NOW + 60_000);
    assert.equal(nextContactAt({ ...agent, lastContactAt: null }), null);
  });
});
