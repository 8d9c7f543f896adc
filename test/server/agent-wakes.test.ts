// No lost wake: a job prepared for an agent that long-polls reaches it at once, 1,000 times
// in a row, over real HTTP (SQLite, or PostgreSQL with TASKWARDEN_TEST_DB=postgres; the
// cross-node case is test/cluster/wakes.test.ts). The job is prepared at any moment of the
// contact — before its look, between the look and the wait, during the wait — and the long
// poll is 30 s: a wake dropped anywhere shows as one contact taking that long.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AgentServer, echoJob, startAgentServer } from '../support/agent-protocol.ts';

const WAKES = 1000;
/** Far below the 30 s long poll: only a lost wake comes near it. */
const WAKE_MS = 5_000;

describe('long-poll wakes', () => {
  let s: AgentServer;
  before(async () => {
    s = await startAgentServer();
  });
  after(() => s.cleanup());

  test('1,000 wakes in a row: each job prepared for a long-polling agent arrives well before the poll ends', async () => {
    const agent = await s.enrol();
    const taskId = await s.task({ concurrency: 'allow', jobs: [echoJob('say', { agents: [agent.id] })] });
    const slowest = { ms: 0, at: -1 };
    for (let i = 0; i < WAKES; i++) {
      const polling = agent.take({ wait: 30, capacity: 1 });
      // Spread the moment the job is prepared over the contact's look and its wait.
      for (let spin = i % 4; spin > 0; spin--) await new Promise((resolve) => setImmediate(resolve));
      const started = Date.now();
      await s.run(taskId);
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`wake ${i} lost: no job ${WAKE_MS} ms after it was prepared`)),
          WAKE_MS,
        );
      });
      const { jobs } = await Promise.race([polling, cut]).finally(() => clearTimeout(timer));
      const ms = Date.now() - started;
      if (ms > slowest.ms) Object.assign(slowest, { ms, at: i });
      assert.equal(jobs.length, 1, `wake ${i}: the poll ended without the job`);
      const job = jobs[0] as (typeof jobs)[number];
      await agent.finish(job.jobstate, job.attempt, true);
    }
    console.log(`slowest of ${WAKES} wakes: ${slowest.ms} ms (#${slowest.at})`);
  });
});
