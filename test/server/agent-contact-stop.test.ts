// A long-poll ends without claiming when its client goes away (ContactStops): the job
// prepared after that waits for the agent's next contact instead of going to a reply
// nobody reads. Over real HTTP.
import assert from 'node:assert/strict';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { type AgentServer, echoJob, startAgentServer } from '../support/agent-protocol.ts';

let s: AgentServer;
before(async () => {
  s = await startAgentServer();
});
after(() => s.cleanup());

/** Resolves once the server closed its response to the next contact (after the route's own close listeners ran). */
function nextContactClosed(): Promise<void> {
  return new Promise((resolve) => {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== '/agent/v1/contact') return;
      s.app.server.off('request', onRequest);
      res.once('close', () => setImmediate(resolve));
    };
    s.app.server.on('request', onRequest);
  });
}

test('a long-poll whose client went away claims nothing: the job goes to the next contact', async () => {
  const agent = await s.enrol();
  const taskId = await s.task({ jobs: [echoJob('say', { agents: [agent.id] })] });
  const body = JSON.stringify({ version: '1.0.0', modules: agent.modules, running: [], capacity: 1, wait: 30 });
  const polling = request(`${agent.base}/agent/v1/contact`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.credential}`, 'content-type': 'application/json' },
  });
  polling.on('error', () => {}); // destroyed below on purpose
  const closed = nextContactClosed();
  polling.end(body);
  await s.until(async () => (await s.store.agents.get(agent.id))?.lastContactAt != null, 'the agent waits');
  polling.destroy();
  await closed;
  const runId = await s.run(taskId);
  await s.until(
    async () => (await s.store.jobstates.allOfRun(runId)).some((js) => js.status === 'prepared'),
    'the job is prepared',
  );
  const { jobs } = await agent.take();
  assert.equal(jobs.length, 1, 'the next contact gets the job: the long-poll gone did not take it');
});
