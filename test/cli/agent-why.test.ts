// `taskwarden agent why` in text: the agent's presence and contact times, its last wake
// failure, then one line per open jobstate saying why it does not run yet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostics } from '../../src/cli/commands/agent.ts';
import type { AgentDiagnosticsView } from '../../src/protocol/agents.ts';

const agent: AgentDiagnosticsView['agent'] = {
  id: 'a-1',
  orgId: 'o-1',
  kind: 'taskwarden',
  deviceId: 'pc-1-x',
  name: 'pc-1',
  tags: ['lab'],
  requestedTags: [],
  enabled: true,
  version: '0.1.0',
  modules: ['command'],
  wakeUrl: 'http://10.0.0.5:62354',
  contactSeconds: 60,
  presence: 'offline',
  lastContactAt: '2026-12-01T08:00:00.000Z',
  nextContactAt: '2026-12-01T08:01:00.000Z',
  lastWakeError: 'connect ECONNREFUSED',
  lastWakeErrorAt: '2026-12-01T09:00:00.000Z',
  reenrolAllowedUntil: null,
  enrolmentTokenId: null,
  timezone: null,
  reportedTimezone: null,
  timezoneOverridden: false,
  createdAt: '2026-11-01T00:00:00.000Z',
};

test('agent why: the agent, its last wake failure, then why each open jobstate waits', () => {
  const text = formatDiagnostics({
    agent,
    items: [
      {
        jobstateId: 'js-1',
        runId: 'r-1',
        taskId: 't-1',
        task: 'office-apps',
        job: 'libreoffice',
        module: 'deploy',
        status: 'waiting',
        reason: 'delay',
        attempt: 1,
        code: 'delay',
        message: 'delay until 2026-12-01T10:00:00.000Z',
        until: '2026-12-01T10:00:00.000Z',
      },
      {
        jobstateId: 'js-2',
        runId: 'r-1',
        taskId: 't-1',
        task: 'office-apps',
        job: 'check',
        module: 'command',
        status: 'waiting',
        reason: 'retry_backoff',
        attempt: 2,
        code: 'retry_backoff',
        message: 'in its retry backoff',
        until: '2026-12-01T09:30:00.000Z',
      },
    ],
  });
  assert.equal(
    text,
    [
      'agent pc-1 (a-1) offline — last contact 2026-12-01T08:00:00.000Z, next expected 2026-12-01T08:01:00.000Z — woken at http://10.0.0.5:62354',
      'last wake failed at 2026-12-01T09:00:00.000Z: connect ECONNREFUSED',
      'office-apps / libreoffice (deploy, attempt 1) waiting: delay until 2026-12-01T10:00:00.000Z',
      'office-apps / check (command, attempt 2) waiting: in its retry backoff (until 2026-12-01T09:30:00.000Z)',
      '',
    ].join('\n'),
  );
});

test('agent why: a disabled pull agent with nothing open says so', () => {
  const text = formatDiagnostics({
    agent: { ...agent, enabled: false, wakeUrl: null, lastWakeError: null, lastContactAt: null, nextContactAt: null },
    items: [],
  });
  assert.equal(
    text,
    'agent pc-1 (a-1) disabled — last contact never, next expected unknown — pull only\n' +
      'no open jobstates: nothing is waiting for this agent\n',
  );
});

test('agent why --task: whether the task reaches the agent, then each rule', () => {
  const text = formatDiagnostics({
    agent,
    items: [],
    reach: {
      taskId: 't-1',
      task: 'office-apps',
      lines: [
        { job: null, reaches: false, code: 'enrolled_after_run', message: 'agent enrolled after run r-1 started' },
        { job: 'libreoffice', reaches: true, code: 'reaches', message: 'targets tag lab, which the agent has' },
        { job: 'report', reaches: false, code: 'server_job', message: 'runs on the server, not on agents' },
      ],
    },
  });
  assert.deepEqual(text.split('\n').slice(3), [
    'task office-apps: does not reach this agent',
    '  task: no — agent enrolled after run r-1 started',
    '  job libreoffice: yes — targets tag lab, which the agent has',
    '  job report: no — runs on the server, not on agents',
    '',
  ]);
});
