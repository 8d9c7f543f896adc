// Issue 12, the FusionInventory server halves: what an unmodified agent sends is read within
// the org of the enrolment token it authenticates with. A machine of org B, even one with
// the DEVICEID of org A's machine, neither reaches org A's agents, inventories, jobstates
// (discovery reports, deploy statuses) or devices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { processNumberOf } from '../../src/modules/fusioninventory/ids.ts';
import { DEFAULT_FUSIONINVENTORY_PATH as PATH } from '../../src/server/fusioninventory/path.ts';
import { fixture } from '../fusioninventory/fixtures.ts';
import { makeJobstate, makeRun, makeTask } from '../store/fixtures.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

/** The DEVICEID of the captured messages: both orgs have a machine that says it. */
const DEVICE = 'vm-2026-11-24-12-24-22';

describe('security: a FusionInventory agent reaches its own org’s rows only', () => {
  let h: ServerHarness;
  const orgs: Record<'a' | 'b', { id: string; auth: string; agent: string }> = {
    a: { id: '', auth: '', agent: '' },
    b: { id: '', auth: '', agent: '' },
  };
  const jobs = { discovery: '', deploy: '' };

  const send = (org: 'a' | 'b', text: string) =>
    h.app.inject({
      method: 'POST',
      url: PATH,
      headers: { authorization: orgs[org].auth, 'content-type': 'application/x-compress-zlib' },
      payload: deflateSync(text),
    });

  /** Org A's rows the FusionInventory halves could touch. */
  const orgARows = async () => ({
    agent: await h.store.agents.get(orgs.a.agent),
    inventory: await h.store.inventories.get(orgs.a.agent),
    devices: (await h.store.devices.list({ orgId: orgs.a.id }, { limit: 100 })).items,
    discovery: await h.store.jobstates.get(jobs.discovery),
    deploy: await h.store.jobstates.get(jobs.deploy),
    logs: [
      ...(await h.store.logs.list(jobs.discovery, { limit: 100 })).items,
      ...(await h.store.logs.list(jobs.deploy, { limit: 100 })).items,
    ],
  });

  before(async () => {
    h = await startServerHarness();
    for (const key of ['a', 'b'] as const) {
      const org = await h.createOrg(`fi-${key}`);
      const made = await h.expect(201, 'POST', `/api/v1/enrolment-tokens?org=${org.id}`, {
        body: { uses: 5, expiresIn: '1h' },
      });
      const auth = `Basic ${Buffer.from(`${made.json.id}:${made.json.token}`).toString('base64')}`;
      orgs[key] = { id: org.id, auth, agent: '' };
      assert.equal((await send(key, fixture('prolog.xml'))).statusCode, 200);
      const agent = await h.store.agents.getByDevice(org.id, DEVICE);
      assert.ok(agent, `org ${key}'s machine is enrolled`);
      orgs[key].agent = agent.id;
    }
    assert.equal((await send('a', fixture('inventory.xml'))).statusCode, 200);
    // Org A's agent is running a discovery and a deployment.
    const task = await h.store.tasks.create(makeTask(orgs.a.id));
    const run = makeRun(task, { status: 'running' });
    await h.store.runs.insert(run);
    const running = { agentId: orgs.a.agent, status: 'running' as const, startedAt: Date.now() };
    const discovery = makeJobstate(run, { ...running, module: 'netdiscovery', params: { ranges: ['127.0.0.0/30'] } });
    const deploy = makeJobstate(run, { ...running, module: 'deploy', job: 'deploy' });
    await h.store.jobstates.insertMany([discovery, deploy]);
    Object.assign(jobs, { discovery: discovery.id, deploy: deploy.id });
  });
  after(() => h.cleanup());

  test('the same DEVICEID in org B is org B’s own machine: its inventory lands there', async () => {
    const before = await orgARows();
    assert.notEqual(orgs.a.agent, orgs.b.agent);
    const reply = await send('b', fixture('inventory.xml'));
    assert.equal(reply.statusCode, 200, reply.body);
    assert.ok(await h.store.inventories.get(orgs.b.agent), 'org B keeps its own inventory');
    assert.deepEqual(await orgARows(), before);
  });

  test('org B’s agent cannot report on org A’s discovery, nor set the status of org A’s deployment', async () => {
    const before = await orgARows();
    const pid = processNumberOf({ jobstateId: jobs.discovery, attempt: 1 });
    const report =
      `<REQUEST><DEVICEID>${DEVICE}</DEVICEID><QUERY>NETDISCOVERY</QUERY><CONTENT>` +
      `<DEVICE><IP>127.0.0.1</IP><DNSHOSTNAME>planted</DNSHOSTNAME></DEVICE>` +
      `<AGENT><END>1</END></AGENT><PROCESSNUMBER>${pid}</PROCESSNUMBER></CONTENT></REQUEST>`;
    assert.equal((await send('b', report)).statusCode, 404);
    for (const action of ['setStatus&part=job&status=ok', 'setUserEvent&type=msgbox&behavior=ok']) {
      const status = await h.app.inject({
        method: 'GET',
        url: `${PATH}?action=${action}&machineid=${DEVICE}&uuid=${jobs.deploy}.1`,
        headers: { authorization: orgs.b.auth },
      });
      assert.equal(status.statusCode, 404, status.body);
    }
    const config = await h.app.inject({
      method: 'GET',
      url: `${PATH}?action=getJobs&machineid=${DEVICE}`,
      headers: { authorization: orgs.b.auth },
    });
    assert.deepEqual(config.json(), {}, 'org A’s deployment is not handed to org B’s machine');
    assert.deepEqual(await orgARows(), before);
    // The same report from org A's own machine is taken: the refusal above was about the org.
    assert.equal((await send('a', report)).statusCode, 200);
  });
});
