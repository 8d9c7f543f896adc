// "Why doesn't this task reach this agent?", rule by rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobDef } from '../../src/core/model.ts';
import { explainReach, type ReachInput } from '../../src/core/reach.ts';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const job = (name: string, targets: JobDef['targets']): JobDef => ({
  name,
  module: 'command',
  params: {},
  targets,
  delaySeconds: 0,
  startIf: 'success',
  timeoutSeconds: 60,
  retryAttempts: 0,
  retryBackoffSeconds: 60,
});
const base: ReachInput = {
  now: NOW,
  task: {
    orgId: 'org-1',
    name: 'office-apps',
    enabled: true,
    activeFrom: null,
    activeTill: null,
    jobs: [
      job('by-tag', { tags: ['accounting', 'finance'] }),
      job('listed', { agents: ['a-2'] }),
      job('everyone', { all: true }),
      job('on-server', { server: true }),
    ],
  },
  agent: { id: 'a-1', orgId: 'org-1', name: 'pc-1', tags: ['lab'], enabled: true, createdAt: NOW - 86_400_000 },
  lastRun: null,
};
const codes = (input: ReachInput) => explainReach(input).map((l) => `${l.job ?? 'task'}:${l.code}:${l.reaches}`);

test('each job says whether its targets select the agent, and which rule keeps it out', () => {
  assert.deepEqual(codes(base), [
    'by-tag:missing_tags:false',
    'listed:not_listed:false',
    'everyone:reaches:true',
    'on-server:server_job:false',
  ]);
  const [byTag] = explainReach(base);
  assert.equal(byTag?.message, 'targets agents tagged accounting or finance; it has lab');
  const tagged = { ...base, agent: { ...base.agent, tags: ['finance'] } };
  assert.equal(explainReach(tagged)[0]?.message, 'targets tag finance, which the agent has');
});

test('the task or the agent as a whole: other org, disabled, outside its active window', () => {
  assert.deepEqual(codes({ ...base, agent: { ...base.agent, orgId: 'org-2' } }), ['task:other_org:false']);
  const off = { ...base, agent: { ...base.agent, enabled: false }, task: { ...base.task, enabled: false } };
  assert.deepEqual(codes(off).slice(0, 2), ['task:agent_disabled:false', 'task:task_disabled:false']);
  const early = { ...base, task: { ...base.task, activeFrom: '2026-12-06T00:00:00Z' } };
  assert.equal(codes(early)[0], 'task:not_active_yet:false');
  const late = { ...base, task: { ...base.task, activeTill: '2026-12-05T11:00:00Z' } };
  assert.equal(codes(late)[0], 'task:no_longer_active:false');
});

test('an agent enrolled after the last run started gets its jobs from the next run', () => {
  const run = { id: 'r-1', createdAt: NOW - 3_600_000, status: 'running' as const };
  const newcomer = { ...base.agent, createdAt: NOW - 60_000 };
  const lines = explainReach({ ...base, agent: newcomer, lastRun: { run, agentHasJobs: false } });
  assert.equal(lines[0]?.code, 'enrolled_after_run');
  assert.match(lines[0]?.message ?? '', /after run r-1 started \(2026-12-05T11:00:00\.000Z\)/);
  // Not when it got jobs of that run, nor when it enrolled before, nor when no job selects it.
  assert.notEqual(
    codes({ ...base, agent: newcomer, lastRun: { run, agentHasJobs: true } })[0],
    'task:enrolled_after_run:false',
  );
  assert.notEqual(codes({ ...base, lastRun: { run, agentHasJobs: false } })[0], 'task:enrolled_after_run:false');
  const unreached = { ...base.task, jobs: [job('by-tag', { tags: ['finance'] })] };
  assert.deepEqual(codes({ ...base, task: unreached, agent: newcomer, lastRun: { run, agentHasJobs: false } }), [
    'by-tag:missing_tags:false',
  ]);
});
