// The rules behind deploy packages, over the API (issue 12 item 4): the org settings
// `extractPrefixes` and `packageQuota` are the global admin's alone (members read them);
// a package's extract.to is a relative path (under the agent's package root) or an
// absolute one under an allowed prefix, else 400 naming the field; a package whose prefix
// was withdrawn is refused when a job is prepared; FusionInventory orders obey the same rule.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { agentDeployJob, UnsupportedDeploy } from '../../src/modules/deploy/fusioninventory.ts';
import type { DeployPayload } from '../../src/modules/deploy/schema.ts';
import { deployUuidOf } from '../../src/modules/fusioninventory/ids.ts';
import { tarBytes } from '../modules/tar-builder.ts';
import { type AgentServer, startAgentServer } from '../support/agent-protocol.ts';

const GIB = 2 ** 30;

describe('security: package rules over the API', () => {
  let h: AgentServer;
  let operator: string;
  let viewer: string;
  let sha256: string;
  let size: number;
  const org = () => `/api/v1/orgs/${h.orgId}`;

  before(async () => {
    h = await startAgentServer();
    operator = (await h.createUser(h.orgId, 'rules-op', 'operator')).token;
    viewer = (await h.createUser(h.orgId, 'rules-viewer', 'viewer')).token;
    const upload = await h.app.inject({
      method: 'POST',
      url: '/api/v1/packages/files',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/octet-stream' },
      payload: tarBytes([{ name: 'job', content: 'x\n' }]),
    });
    assert.equal(upload.statusCode, 201, upload.body);
    ({ sha256, size } = upload.json());
  });
  after(() => h.cleanup());

  const register = (name: string, manifest: Record<string, unknown>, token = operator) =>
    h.call('POST', '/api/v1/packages', { token, body: { name, version: '1', archive: sha256, ...manifest } });

  test('only the global admin sets extractPrefixes and packageQuota; members read them; strangers cannot', async () => {
    for (const token of [h.orgAdmin, operator, viewer]) {
      for (const body of [{ extractPrefixes: ['/'] }, { packageQuota: 10 * GIB * 1024 }]) {
        await h.expect(403, 'PATCH', org(), { token, body });
      }
    }
    const read = await h.expect(200, 'GET', org(), { token: viewer });
    assert.deepEqual([read.json.extractPrefixes, read.json.packageQuota, read.json.packageBytes], [[], 10 * GIB, size]);
    const bad = async (body: Record<string, unknown>, field: string) => {
      const reply = await h.expect(400, 'PATCH', org(), { body });
      assert.equal(reply.json.error.details?.field, field, reply.body);
    };
    for (const prefix of ['opt/apps', '/opt/../etc', '/opt/', '/opt//apps', '/opt/./apps', '', '/opt\0']) {
      await bad({ extractPrefixes: ['/srv', prefix] }, 'extractPrefixes[1]');
    }
    await bad({ packageQuota: -1 }, 'packageQuota');
    await bad({ packageQuota: 1.5 }, 'packageQuota');
    const set = await h.expect(200, 'PATCH', org(), { body: { extractPrefixes: ['/opt/apps'], packageQuota: GIB } });
    assert.deepEqual([set.json.extractPrefixes, set.json.packageQuota], [['/opt/apps'], GIB]);
    assert.deepEqual((await h.expect(200, 'GET', org(), { token: operator })).json.extractPrefixes, ['/opt/apps']);

    const other = await h.createOrg('rules-other');
    const stranger = (await h.createUser(other.id, 'rules-stranger', 'org-admin')).token;
    await h.expect(404, 'GET', org(), { token: stranger });
    // Writing settings is a role check, the same for any org (existing or not): 403 tells nothing.
    await h.expect(403, 'PATCH', org(), { token: stranger, body: { packageQuota: 1 } });
    await h.expect(403, 'PATCH', '/api/v1/orgs/no-such-org', { token: stranger, body: { packageQuota: 1 } });
    await h.expect(404, 'PATCH', '/api/v1/orgs/no-such-org', { body: { packageQuota: 1 } });
  });

  test('extract.to outside the package root and the allowed prefixes is 400 naming the field; nothing is saved', async () => {
    await h.expect(200, 'PATCH', org(), { body: { extractPrefixes: ['/opt/apps'] } });
    const refused: [unknown, string][] = [
      [{ steps: [{ type: 'extract', to: '/etc/cron.d' }] }, 'steps[0].to'],
      [
        {
          steps: [
            { type: 'command', command: 'agent-echo', args: { msg: 'hi' } },
            { type: 'extract', to: '/' },
          ],
        },
        'steps[1].to',
      ],
      [{ steps: [{ type: 'extract', to: '../etc' }] }, 'steps[0].to'],
      [{ steps: [{ type: 'extract', to: 'app/../../etc' }] }, 'steps[0].to'],
      [{ steps: [{ type: 'extract', to: 'app/./x' }] }, 'steps[0].to'],
      [{ steps: [{ type: 'extract', to: '/opt/apps-evil' }] }, 'steps[0].to'],
      [{ steps: [{ type: 'extract', to: '/opt/apps/../../etc' }] }, 'steps[0].to'],
      [
        { steps: [{ type: 'extract', to: 'app' }], uninstall: { steps: [{ type: 'extract', to: '/etc' }] } },
        'uninstall.steps[0].to',
      ],
    ];
    for (const [manifest, field] of refused) {
      const reply = await register('refused', manifest as Record<string, unknown>);
      assert.equal(reply.status, 400, `${JSON.stringify(manifest)} → ${reply.status}`);
      assert.equal(reply.json.error.code, 'invalid_input');
      assert.equal(reply.json.error.details?.field, field, reply.body);
    }
    assert.deepEqual((await h.expect(200, 'GET', '/api/v1/packages?name=refused')).json.items, []);
    assert.equal((await register('in-root', { steps: [{ type: 'extract', to: 'app/v1' }] })).status, 201);
    assert.equal((await register('in-prefix', { steps: [{ type: 'extract', to: '/opt/apps/tool' }] })).status, 201);
    assert.equal((await register('the-prefix', { steps: [{ type: 'extract', to: '/opt/apps' }] })).status, 201);
  });

  test('a package whose prefix the admin withdrew is refused when its job is prepared: the agent never gets it', async () => {
    await h.expect(200, 'PATCH', org(), { body: { extractPrefixes: ['/srv/tools'] } });
    assert.equal((await register('withdrawn', { steps: [{ type: 'extract', to: '/srv/tools/x' }] })).status, 201);
    await h.expect(200, 'PATCH', org(), { body: { extractPrefixes: [] } });
    const agent = await h.enrol({ name: 'rules-pc', modules: ['deploy'] });
    const taskId = await h.task({
      jobs: [{ name: 'w', module: 'deploy', params: { package: 'withdrawn' }, targets: { agents: [agent.id] } }],
    });
    const runId = await h.run(taskId);
    const { jobs } = await agent.take();
    assert.deepEqual(jobs, []);
    const [js] = (await h.expect(200, 'GET', `/api/v1/runs/${runId}/jobstates`)).json.items;
    assert.equal(js.status, 'error');
    assert.match(js.result.error, /steps\[0\]\.to/);
  });
});

describe('security: FusionInventory deploy orders', () => {
  const ref = deployUuidOf({ jobstateId: '01a20d91-8b9c-7175-b07c-84286102117c', attempt: 1 });
  const archive = { sha512: 'cd'.repeat(64), parts: ['ef'.repeat(64)], mirror: 'http://127.0.0.1/x/' };
  const payload = (to: string, extractPrefixes: string[]): DeployPayload => ({
    package: { name: 'app', version: '1', sha256: 'ab'.repeat(32), size: 1 },
    action: 'install',
    checks: [],
    steps: [{ type: 'extract', to }],
    extractPrefixes,
  });

  test('attack: an order extracting outside the allowed prefixes is never handed to the agent', () => {
    assert.throws(() => agentDeployJob(ref, payload('/etc/cron.d', ['/opt/apps']), archive, null), UnsupportedDeploy);
    assert.throws(() => agentDeployJob(ref, payload('/opt/apps/../../etc', ['/opt/apps']), archive, null));
  });

  test('a relative path is refused (FusionInventory agents have no package root); an allowed prefix is kept', () => {
    assert.throws(() => agentDeployJob(ref, payload('app', []), archive, null), /package root/);
    const { job } = agentDeployJob(ref, payload('/opt/apps/app', ['/opt/apps']), archive, null);
    assert.deepEqual((job['actions'] as { mkdir?: { list: string[] } }[])[0]?.mkdir?.list, ['/opt/apps/app']);
  });
});
