// Enrolment and agent credentials over real HTTP: tokens with uses, expiry and revocation,
// tags from the token only, re-enrolment (once an admin allows it) keeping the agent and
// its work, refusals that write nothing, and 401s for every forged or outdated credential.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { hashSecret } from '../../src/server/secrets.ts';
import { type AgentServer, echoJob, post, startAgentServer, TestAgent } from '../support/agent-protocol.ts';

describe('agent enrolment', () => {
  let s: AgentServer;
  before(async () => {
    s = await startAgentServer();
  });
  after(() => s.cleanup());

  const newToken = async (body: Record<string, unknown> = {}) =>
    (
      await s.expect(201, 'POST', '/api/v1/enrolment-tokens', {
        token: s.orgAdmin,
        body: { uses: 2, expiresIn: '1h', ...body },
      })
    ).json;
  const agentCount = async () => (await s.store.agents.list({ orgId: s.orgId }, { limit: 1000 })).items.length;

  test("a token enrols as many agents as it has uses, with its tags (the agent's own are only requested)", async () => {
    const token = await newToken({ tags: ['accounting'] });
    assert.match(token.token, /^twe_/);
    assert.deepEqual(token.usesLeft, 2);
    const first = await post(s.base, '/agent/v1/enrol', {
      token: token.token,
      deviceId: 'acc-01',
      name: 'Accounting 1',
      tags: ['paris'],
      version: '1.2.3',
      modules: ['command'],
    });
    assert.equal(first.status, 201);
    assert.equal(first.json.contactSeconds, 60);
    assert.deepEqual(first.json.tags, ['accounting']);
    assert.match(first.json.secret, /^[A-Za-z0-9_-]{43}$/);
    const view = await s.expect(200, 'GET', `/api/v1/agents/${first.json.agentId}`, { token: s.orgAdmin });
    assert.deepEqual(
      {
        name: view.json.name,
        tags: view.json.tags,
        requestedTags: view.json.requestedTags,
        version: view.json.version,
        presence: view.json.presence,
        enrolmentTokenId: view.json.enrolmentTokenId,
      },
      {
        name: 'Accounting 1',
        tags: ['accounting'],
        requestedTags: ['paris'],
        version: '1.2.3',
        presence: 'never',
        enrolmentTokenId: token.id,
      },
    );
    assert.equal('secretHash' in view.json, false);
    await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'acc-02' });
    const before = await agentCount();
    const third = await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'acc-03' });
    assert.equal(third.status, 401);
    assert.equal(third.json.error.code, 'unauthorized');
    assert.equal(await agentCount(), before, 'a used-up token enrols nobody');
    const listed = await s.expect(200, 'GET', '/api/v1/enrolment-tokens', { token: s.orgAdmin });
    assert.equal(listed.json.items.find((t: { id: string }) => t.id === token.id).usesLeft, 0);
    assert.ok(listed.json.items.every((t: Record<string, unknown>) => !('token' in t) && !('hash' in t)));
  });

  test('ten enrolments at once with a token of three uses: three agents, seven refusals that wrote nothing', async () => {
    // Each passes the token's check before any takes a use: the losers' agents roll back.
    const token = await newToken({ uses: 3 });
    const before = await agentCount();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: `race-${i}` }),
      ),
    );
    assert.deepEqual(replies.map((reply) => reply.status).sort(), [201, 201, 201, 401, 401, 401, 401, 401, 401, 401]);
    assert.equal(await agentCount(), before + 3);
    const listed = await s.expect(200, 'GET', '/api/v1/enrolment-tokens', { token: s.orgAdmin });
    assert.equal(listed.json.items.find((t: { id: string }) => t.id === token.id).usesLeft, 0);
  });

  test('expired, revoked and unknown tokens are refused and write nothing', async () => {
    const expired = `twe_${newId()}`;
    await s.store.enrolmentTokens.create({
      id: newId(),
      orgId: s.orgId,
      hash: hashSecret(expired),
      tags: [],
      usesLeft: 5,
      expiresAt: Date.now() - 1,
      createdAt: Date.now() - 10,
      createdBy: null,
      revokedAt: null,
    });
    const revoked = await newToken();
    await s.expect(204, 'DELETE', `/api/v1/enrolment-tokens/${revoked.id}`, { token: s.orgAdmin });
    const before = await agentCount();
    for (const token of [expired, revoked.token, 'twe_never-issued-token']) {
      const reply = await post(s.base, '/agent/v1/enrol', { token, deviceId: 'refused-pc' });
      assert.equal(reply.status, 401, `${token} → ${reply.status}`);
    }
    assert.equal(await agentCount(), before);
    assert.equal((await s.store.enrolmentTokens.findByHash(hashSecret(expired)))?.usesLeft, 5);
    assert.equal((await s.store.enrolmentTokens.get(revoked.id))?.usesLeft, 2);
  });

  test('bad enrolment bodies are 400 and name the field; a body cannot pick its org', async () => {
    const token = await newToken();
    const cases: [Record<string, unknown>, string][] = [
      [{ token: token.token, deviceId: 'pc 1' }, 'deviceId'],
      [{ token: token.token, deviceId: 'pc', orgId: newId() }, 'orgId'],
      [{ token: token.token, deviceId: 'pc', wakeUrl: 'ftp://pc:21' }, 'wakeUrl'],
      [{ token: token.token, deviceId: 'pc', wakeUrl: 'http://u:p@pc:1' }, 'wakeUrl'],
    ];
    for (const [body, field] of cases) {
      const reply = await post(s.base, '/agent/v1/enrol', body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.json.error.details.field, field);
    }
    assert.equal((await s.store.enrolmentTokens.get(token.id))?.usesLeft, 2, 'no use was spent');
  });

  test('re-enrolling (allowed by an admin) keeps the agent id and its pending work; the old secret stops working', async () => {
    const agent = await s.enrol({ deviceId: 'reborn', tags: ['lab'] });
    const taskId = await s.task({ jobs: [echoJob('say', { agents: [agent.id] })] });
    await s.run(taskId);
    await s.until(
      async () => (await s.store.jobstates.listForAgent(agent.id, { statuses: ['prepared'] }, 10)).length === 1,
      'the job is prepared for the agent',
    );
    const token = await newToken({ tags: ['new'] });
    const refused = await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'reborn' });
    assert.equal(refused.status, 409);
    await s.expect(200, 'POST', `/api/v1/agents/${agent.id}/allow-reenrol`, { token: s.orgAdmin, body: {} });
    const again = await post(s.base, '/agent/v1/enrol', { token: token.token, deviceId: 'reborn' });
    assert.equal(again.status, 200);
    assert.equal(again.json.agentId, agent.id);
    assert.notEqual(again.json.secret, agent.secret);
    assert.equal((await agent.contact()).status, 401, 'the old secret is refused');
    const reborn = new TestAgent(s.base, agent.id, again.json.secret);
    const { jobs } = await reborn.take();
    assert.equal(jobs.length, 1, 'the pending jobstate is still there');
    assert.deepEqual((await s.store.agents.get(agent.id))?.tags, ['lab', 'new']);
  });

  test('forged, mismatched, malformed and deleted credentials answer 401', async () => {
    const a = await s.enrol();
    const b = await s.enrol();
    const forged = [
      `${a.id}.${'x'.repeat(43)}`,
      `${b.id}.${a.secret}`,
      `${a.id}${a.secret}`,
      a.secret,
      `${newId()}.${a.secret}`,
      s.adminToken,
    ];
    for (const bearer of forged) {
      const reply = await a.contact({}, bearer);
      assert.equal(reply.status, 401, `${bearer} → ${reply.status}`);
    }
    assert.equal((await post(s.base, '/agent/v1/contact', { version: '1', modules: [], running: [] })).status, 401);
    assert.equal((await a.contact()).status, 200);
    await s.expect(204, 'DELETE', `/api/v1/agents/${a.id}`, { token: s.orgAdmin });
    assert.equal((await a.contact()).status, 401, 'a deleted agent is nobody');
  });

  test('tokens: org-admins only, within their org', async () => {
    const { token: viewer } = await s.createUser(s.orgId, `viewer-${newId().slice(-6)}`, 'viewer');
    await s.expect(403, 'POST', '/api/v1/enrolment-tokens', { token: viewer, body: { uses: 1, expiresIn: '1h' } });
    await s.expect(403, 'GET', '/api/v1/enrolment-tokens', { token: viewer });
    const other = await s.createOrg(`other-${newId().slice(-6)}`);
    const { token: otherAdmin } = await s.createUser(other.id, `oadmin-${newId().slice(-6)}`, 'org-admin');
    const mine = await newToken();
    await s.expect(404, 'DELETE', `/api/v1/enrolment-tokens/${mine.id}`, { token: otherAdmin });
    assert.equal((await s.store.enrolmentTokens.get(mine.id))?.revokedAt, null);
    const theirs = await s.expect(200, 'GET', '/api/v1/enrolment-tokens', { token: otherAdmin });
    assert.deepEqual(theirs.json.items, []);
    await s.expect(400, 'POST', '/api/v1/enrolment-tokens', {
      token: s.orgAdmin,
      body: { uses: 1, expiresIn: 'soon' },
    });
    await s.expect(400, 'POST', '/api/v1/enrolment-tokens', { token: s.orgAdmin, body: { uses: 0, expiresIn: '1h' } });
  });
});
