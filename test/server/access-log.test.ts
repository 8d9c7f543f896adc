// The access log: one line per request, agents' successful calls at debug only (access-log.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { type AgentServer, echoJob, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

interface Line {
  level: number;
  msg: string;
  url?: string;
  status?: number;
}

const INFO = 30;
const DEBUG = 20;

/** A server whose log, at `level`, is kept in `lines`. */
async function loggingServer(level: 'info' | 'debug'): Promise<{ s: AgentServer; lines: Line[] }> {
  const lines: Line[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { s: await startAgentServer({ logger }), lines };
}

const requestLines = (lines: Line[], url: string) => lines.filter((l) => l.msg === 'request' && l.url === url);

describe('access log at info (the default)', () => {
  let s: AgentServer;
  let lines: Line[];
  let agent: TestAgent;
  before(async () => {
    ({ s, lines } = await loggingServer('info'));
    agent = await s.enrol();
  });
  after(() => s.cleanup());

  test("an agent's successful contacts and events are not logged", async () => {
    const taskId = await s.task({ jobs: [echoJob('j', { agents: [agent.id] })] });
    await s.run(taskId);
    const job = await agent.takeOne({ wait: 5 });
    await agent.finish(job.jobstate, job.attempt, true);
    await agent.take();
    assert.deepEqual(requestLines(lines, '/agent/v1/contact'), []);
    assert.deepEqual(requestLines(lines, `/agent/v1/jobstates/${job.jobstate}/events`), []);
  });

  test("an agent's failed call is logged at info, with its status", async () => {
    const refused = await agent.contact({}, `${agent.id}.${'x'.repeat(43)}`);
    assert.equal(refused.status, 401);
    const [line, ...more] = requestLines(lines, '/agent/v1/contact');
    assert.equal(more.length, 0);
    assert.equal(line?.level, INFO);
    assert.equal(line?.status, 401);
  });

  test("a user's calls and an enrolment are logged at info", async () => {
    await s.expect(200, 'GET', '/api/v1/tasks', { token: s.orgAdmin });
    assert.equal(requestLines(lines, '/api/v1/tasks')[0]?.level, INFO);
    const enrolments = requestLines(lines, '/agent/v1/enrol');
    assert.ok(enrolments.length > 0);
    assert.ok(enrolments.every((l) => l.level === INFO && l.status === 201));
  });
});

describe('access log at debug', () => {
  let s: AgentServer;
  let lines: Line[];
  before(async () => ({ s, lines } = await loggingServer('debug')));
  after(() => s.cleanup());

  test("an agent's successful contact is logged at debug", async () => {
    const agent = await s.enrol();
    assert.equal((await agent.contact()).status, 200);
    const [line] = requestLines(lines, '/agent/v1/contact');
    assert.equal(line?.level, DEBUG);
    assert.equal(line?.status, 200);
  });
});
