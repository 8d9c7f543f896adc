// Attacks by an enrolment-token holder on agents (issue 12, "Agents"): taking over an
// enrolled agent by its deviceId (Taskwarden and FusionInventory protocols), choosing its
// own tags, and pointing the server's push wakes at any host. Each must leave the agent,
// the token and the targeting as they were.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { newId } from '../../src/core/ids.ts';
import { DEFAULT_FUSIONINVENTORY_PATH } from '../../src/server/fusioninventory/path.ts';
import { type AgentServer, echoJob, post, startAgentServer, TestAgent } from '../support/agent-protocol.ts';

describe('attack: an enrolment-token holder against enrolled agents', () => {
  let s: AgentServer;
  let viewer: string;
  before(async () => {
    s = await startAgentServer();
    viewer = (await s.createUser(s.orgId, 'peeking-viewer', 'viewer')).token;
  });
  after(() => s.cleanup());

  const newToken = async (body: Record<string, unknown> = {}) =>
    (
      await s.expect(201, 'POST', '/api/v1/enrolment-tokens', {
        token: s.orgAdmin,
        body: { uses: 5, expiresIn: '1h', ...body },
      })
    ).json as { id: string; token: string };
  const usesLeft = async (id: string) => (await s.store.enrolmentTokens.get(id))?.usesLeft;
  const agentCount = async () => (await s.store.agents.list({ orgId: s.orgId }, { limit: 1000 })).items.length;
  const allow = (id: string, token = s.orgAdmin, body: Record<string, unknown> = {}) =>
    s.call('POST', `/api/v1/agents/${id}/allow-reenrol`, { token, body });

  describe('takeover by deviceId', () => {
    test('enrolling with the deviceId of an enrolled agent is 409, spends no use and locks nobody out', async () => {
      const victim = await s.enrol({ deviceId: 'victim-pc' });
      // Viewers (and anyone who saw the agent list) know the device id.
      const { deviceId } = (await s.expect(200, 'GET', `/api/v1/agents/${victim.id}`, { token: viewer })).json;
      const attacker = await newToken({ tags: ['attacker'] });
      const count = await agentCount();
      const reply = await post(s.base, '/agent/v1/enrol', { token: attacker.token, deviceId, name: 'evil' });
      assert.equal(reply.status, 409, JSON.stringify(reply.json));
      assert.equal(reply.json.error.code, 'agent_already_enrolled');
      assert.equal(reply.json.secret, undefined, 'no credential is handed out');
      assert.equal((await victim.contact()).status, 200, 'the real machine keeps working');
      assert.equal(await usesLeft(attacker.id), 5, 'the refused enrolment spent no use');
      assert.equal(await agentCount(), count);
      const after = await s.store.agents.get(victim.id);
      assert.deepEqual([after?.name, after?.tags], ['victim-pc', []]);
    });

    test('an org-admin allows re-enrolment: the agent keeps its id and pending work, once', async () => {
      const agent = await s.enrol({ deviceId: 'reinstalled-pc', tags: ['lab'] });
      const taskId = await s.task({ jobs: [echoJob('say', { agents: [agent.id] })] });
      await s.run(taskId);
      await s.until(
        async () => (await s.store.jobstates.listForAgent(agent.id, { statuses: ['prepared'] }, 10)).length === 1,
        'the job is prepared for the agent',
      );
      const { token: operator } = await s.createUser(s.orgId, 'op-reenrol', 'operator');
      assert.equal((await allow(agent.id, viewer)).status, 403);
      assert.equal((await allow(agent.id, operator)).status, 403);
      const stranger = await s.createOrg(`stranger-${newId().slice(-6)}`);
      const { token: strangerAdmin } = await s.createUser(stranger.id, `sadmin-${newId().slice(-6)}`, 'org-admin');
      assert.equal((await allow(agent.id, strangerAdmin)).status, 404, "another org's admin does not see it");
      assert.equal((await allow(agent.id, s.orgAdmin, { expiresIn: 'soon' })).status, 400);
      assert.equal((await allow(agent.id, s.orgAdmin, { expiresIn: '31d' })).status, 400);
      assert.equal((await allow(agent.id, s.adminToken, { expiresIn: '1h' })).status, 200, 'the global admin may');
      assert.equal((await s.call('DELETE', `/api/v1/agents/${agent.id}/allow-reenrol`, { token: viewer })).status, 403);

      const marked = await allow(agent.id);
      assert.equal(marked.status, 200, marked.body);
      assert.ok(Date.parse(marked.json.reenrolAllowedUntil) > Date.now());
      const token = await newToken({ tags: ['new'] });
      const again = await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'reinstalled-pc' });
      assert.equal(again.status, 200, JSON.stringify(again.json));
      assert.equal(again.json.agentId, agent.id);
      assert.equal((await agent.contact()).status, 401, 'the old secret is refused');
      const reborn = new TestAgent(s.base, agent.id, again.json.secret);
      assert.equal((await reborn.take()).jobs.length, 1, 'the pending jobstate is still there');
      const view = (await s.expect(200, 'GET', `/api/v1/agents/${agent.id}`, { token: viewer })).json;
      assert.deepEqual([view.tags, view.reenrolAllowedUntil], [['lab', 'new'], null]);

      const third = await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'reinstalled-pc' });
      assert.equal(third.status, 409, 'the mark served one re-enrolment');
      assert.equal((await reborn.contact()).status, 200);
    });

    test('a re-enrolment mark can be withdrawn, and one past its expiry is refused', async () => {
      const agent = await s.enrol({ deviceId: 'marked-pc' });
      const token = await newToken();
      assert.equal((await allow(agent.id)).status, 200);
      const withdrawn = await s.call('DELETE', `/api/v1/agents/${agent.id}/allow-reenrol`, { token: s.orgAdmin });
      assert.equal(withdrawn.status, 200, withdrawn.body);
      assert.equal(withdrawn.json.reenrolAllowedUntil, null);
      assert.equal((await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'marked-pc' })).status, 409);
      assert.equal((await allow(agent.id)).status, 200);
      await s.store.agents.update(agent.id, { reenrolUntil: Date.now() - 1 });
      assert.equal((await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'marked-pc' })).status, 409);
      assert.equal((await agent.contact()).status, 200);
      assert.equal(await usesLeft(token.id), 5);
    });

    test("a FusionInventory request with another token and an enrolled agent's DEVICEID is 409", async () => {
      const path = DEFAULT_FUSIONINVENTORY_PATH;
      const basic = (t: { id: string; token: string }) =>
        `Basic ${Buffer.from(`${t.id}:${t.token}`).toString('base64')}`;
      const prolog = (deviceId: string, t: { id: string; token: string }) =>
        s.app.inject({
          method: 'POST',
          url: path,
          headers: { 'content-type': 'application/x-compress-zlib', authorization: basic(t) },
          payload: deflateSync(
            `<REQUEST><DEVICEID>${deviceId}</DEVICEID><QUERY>PROLOG</QUERY><TOKEN>12345678</TOKEN></REQUEST>`,
          ),
        });
      const own = await newToken({ tags: ['fi'] });
      const deviceId = 'fi-desk-2026-01-01-00-00-00';
      assert.equal((await prolog(deviceId, own)).statusCode, 200);
      const fi = await s.store.agents.getByDevice(s.orgId, deviceId);
      assert.ok(fi);
      const attacker = await newToken();
      const taken = await prolog(deviceId, attacker);
      assert.equal(taken.statusCode, 409, taken.body);
      assert.equal(taken.json().error.code, 'agent_already_enrolled');
      assert.equal(await usesLeft(attacker.id), 5);
      assert.equal((await prolog(deviceId, own)).statusCode, 200, 'its own token still serves it');
      const tw = await s.enrol({ deviceId: 'tw-desk' });
      assert.equal((await prolog('tw-desk', attacker)).statusCode, 403, 'never a Taskwarden agent');
      assert.equal((await tw.contact()).status, 200);

      // Allowed by an admin (a new token for the machine), it moves to the new token once.
      assert.equal((await allow(fi.id)).status, 200);
      assert.equal((await prolog(deviceId, attacker)).statusCode, 200);
      assert.equal((await s.store.agents.get(fi.id))?.enrolmentTokenId, attacker.id);
      assert.equal(await usesLeft(attacker.id), 4);
      assert.equal((await prolog(deviceId, own)).statusCode, 409, 'the old token no longer names it');
    });
  });

  describe('tags chosen by the agent', () => {
    test('tags in the enrol body do not make the agent a target; they are only requested', async () => {
      const token = await newToken();
      const reply = await post(s.base, '/agent/v1/enrol', {
        token: token.token,
        deviceId: 'self-tagged',
        tags: ['accounting'],
      });
      assert.equal(reply.status, 201, JSON.stringify(reply.json));
      const agent = new TestAgent(s.base, reply.json.agentId, reply.json.secret);
      const honest = await s.enrol({ tags: ['accounting'] });
      const runId = await s.run(await s.task({ jobs: [echoJob('pay', { tags: ['accounting'] })] }));
      assert.deepEqual(
        (await s.store.jobstates.allOfRun(runId)).map((js) => js.agentId),
        [honest.id],
        "only the agent the token tagged gets the accounting task's job",
      );
      assert.deepEqual((await agent.take()).jobs, []);
      assert.deepEqual(reply.json.tags, [], 'the enrol answer says which tags the agent got');
      const view = (await s.expect(200, 'GET', `/api/v1/agents/${agent.id}`, { token: s.orgAdmin })).json;
      assert.deepEqual([view.tags, view.requestedTags], [[], ['accounting']]);
      // An admin may adopt them.
      const adopted = await s.expect(200, 'PATCH', `/api/v1/agents/${agent.id}`, {
        token: s.orgAdmin,
        body: { tags: view.requestedTags },
      });
      assert.deepEqual(adopted.json.tags, ['accounting']);
    });
  });

  describe('wake URLs', () => {
    /** An enrolment over app.inject, as if sent from `from`. */
    const enrolFrom = async (from: string, wakeUrl: string) => {
      const token = await newToken();
      const reply = await s.app.inject({
        method: 'POST',
        url: '/agent/v1/enrol',
        remoteAddress: from,
        payload: { token: token.token, deviceId: `wake-${newId()}`, wakeUrl },
      });
      return { status: reply.statusCode, json: reply.json(), usesLeft: await usesLeft(token.id) };
    };

    test('a wake URL must name the loopback address of a local agent, a port above 1023 and no path', async () => {
      const refused = [
        'http://127.0.0.2:9', // a privileged port
        'http://127.0.0.1:22',
        'http://127.0.0.1', // port 80
        'http://127.0.0.1:62354/admin/delete', // the path is the protocol's
        'http://127.0.0.1:62354/wake',
        'http://10.20.30.40:62354', // not where the request came from
        'http://example.org:62354',
        'http://169.254.169.254:8080',
      ];
      for (const wakeUrl of refused) {
        const reply = await enrolFrom('127.0.0.1', wakeUrl);
        assert.equal(reply.status, 400, `${wakeUrl} → ${reply.status}`);
        assert.equal(reply.json.error.details.field, 'wakeUrl', wakeUrl);
        assert.equal(reply.usesLeft, 5, `${wakeUrl}: no use spent`);
      }
      for (const wakeUrl of ['http://127.0.0.1:62354', 'http://127.0.0.2:8080/', 'http://[::1]:62354']) {
        const reply = await enrolFrom('127.0.0.1', wakeUrl);
        assert.equal(reply.status, 201, `${wakeUrl} → ${JSON.stringify(reply.json)}`);
      }
    });

    test("from a remote address only that address is accepted, never the server's loopback", async () => {
      for (const wakeUrl of ['http://127.0.0.1:62354', 'http://10.9.8.6:62354', 'http://[::1]:62354']) {
        const reply = await enrolFrom('10.9.8.7', wakeUrl);
        assert.equal(reply.status, 400, `${wakeUrl} → ${reply.status}`);
      }
      // Accepted and stored only: no push task names this agent, so nothing is ever sent there.
      assert.equal((await enrolFrom('10.9.8.7', 'http://10.9.8.7:62354')).status, 201);
      assert.equal((await enrolFrom('::ffff:10.9.8.7', 'http://10.9.8.7:62354')).status, 201);
    });

    test('the same rule holds at every contact; an admin cannot set a wake URL', async () => {
      const agent = await s.enrol({ wakeUrl: 'http://127.0.0.1:62354' });
      for (const wakeUrl of ['http://127.0.0.3:25', 'http://10.1.1.1:62354', 'http://127.0.0.1:62354/x']) {
        const reply = await agent.contact({ wakeUrl });
        assert.equal(reply.status, 400, `${wakeUrl} → ${reply.status}`);
        assert.equal(reply.json.error.details.field, 'wakeUrl');
      }
      assert.equal((await s.store.agents.get(agent.id))?.wakeUrl, 'http://127.0.0.1:62354');
      const patched = await s.call('PATCH', `/api/v1/agents/${agent.id}`, {
        token: s.orgAdmin,
        body: { wakeUrl: 'http://10.1.1.1:62354' },
      });
      assert.equal(patched.status, 400);
      assert.equal((await s.store.agents.get(agent.id))?.wakeUrl, 'http://127.0.0.1:62354');
    });
  });
});
