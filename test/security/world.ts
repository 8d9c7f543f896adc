// Two orgs for the security suite, each with a user of every org role and a record of every
// kind, made the way clients make them (the API, the agent protocol; only discovery's
// devices and an inventory go straight to the store). The tests aim one org's users,
// agents and tokens at the other's records. `fresh` makes a new record for a request that
// uses one up (a delete, a cancel), so every caller of the matrix meets an intact one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { newId } from '../../src/core/ids.ts';
import { agentEcho, echoJob } from '../support/agent-protocol.ts';
import type { ServerHarness } from '../support/server.ts';

export const ORG_ROLES = ['viewer', 'operator', 'org-admin'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export interface Member {
  id: string;
  name: string;
  token: string;
  /** The id of `token`. */
  tokenId: string;
}

export interface WorldAgent {
  id: string;
  deviceId: string;
  /** `Bearer <this>` on /agent/v1. */
  credential: string;
}

export interface OrgWorld {
  org: { id: string; name: string };
  users: Record<OrgRole, Member>;
  /** The viewer's password (login and cookie tests). */
  password: string;
  /** An enrolment token with uses to spare: fresh agents enrol with it. */
  enrolment: { id: string; token: string };
  /** Has an inventory with a history; holds the org's first run's jobstate and a running deploy of `archive`. */
  agent: WorldAgent;
  /** The agent's running deploy jobstate: while it runs, the agent may download `archive`. */
  deployJobstateId: string;
  /** Runs the jobs `fresh.runningJobstate` hands out, and nothing else. */
  worker: WorldAgent;
  commandId: string;
  taskId: string;
  /** A run of `taskId` that ended in error (so it can be relaunched). */
  runId: string;
  jobstateId: string;
  inventoryChangeId: string;
  deviceId: string;
  packageId: string;
  archive: { content: string; sha256: string };
  /** A webhook channel (to a closed port of 127.0.0.1) with a test delivery in its log. */
  channelId: string;
  deliveryId: string;
  /** A calendar of the org. */
  calendarId: string;
  fresh: Fresh;
  /** Every id above: none of them may ever appear in what another org's caller sees. */
  ids(): string[];
}

export interface Fresh {
  task(): Promise<{ id: string; name: string }>;
  /** A new run of the org's task, not ended. */
  run(): Promise<string>;
  command(): Promise<string>;
  enrolmentToken(): Promise<{ id: string; token: string }>;
  agent(): Promise<WorldAgent>;
  package(): Promise<string>;
  /** A viewer of the org. */
  user(): Promise<string>;
  /** A new API token of the org's viewer. */
  apiToken(): Promise<{ id: string; token: string }>;
  /** A jobstate of the org's worker agent it has just claimed. */
  runningJobstate(): Promise<{ id: string; attempt: number }>;
  /** A webhook channel of the org. */
  channel(): Promise<string>;
  /** A calendar of the org. */
  calendar(): Promise<string>;
}

/** Where the world's channels point: 127.0.0.1 (the only address tests reach), a port no one listens on. */
export const CLOSED_PORT_URL = 'http://127.0.0.1:9/hook';

let serial = 0;
/** A name no other record has (names are unique per org, users across the server). */
export const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;

export function taskDef(name: string, agentId: string) {
  return { name, schedule: { kind: 'manual' }, concurrency: 'allow', jobs: [echoJob('say', { agents: [agentId] })] };
}

export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function twoOrgs(h: ServerHarness): Promise<{ a: OrgWorld; b: OrgWorld }> {
  return { a: await seedOrg(h, unique('org-a')), b: await seedOrg(h, unique('org-b')) };
}

async function seedOrg(h: ServerHarness, name: string): Promise<OrgWorld> {
  const org = await h.createOrg(name);
  const password = 'correct horse battery';
  const member = async (role: OrgRole, withPassword = false): Promise<Member> => {
    const userName = unique(`${name}-${role}`);
    const body = { name: userName, role, ...(withPassword ? { password } : {}) };
    const user = (await h.expect(201, 'POST', `/api/v1/orgs/${org.id}/users`, { body })).json;
    const token = (await h.expect(201, 'POST', `/api/v1/users/${user.id}/tokens`, { body: { name: 'test' } })).json;
    return { id: user.id, name: userName, token: token.token, tokenId: token.id };
  };
  const users = {
    viewer: await member('viewer', true),
    operator: await member('operator'),
    'org-admin': await member('org-admin'),
  };
  const as = (role: OrgRole) => ({ token: users[role].token });
  const admin = as('org-admin');
  const operator = as('operator');

  const commandId = (await h.expect(201, 'POST', '/api/v1/commands', { ...admin, body: agentEcho })).json.id;
  const newEnrolmentToken = async (uses = 1) => {
    const made = await h.expect(201, 'POST', '/api/v1/enrolment-tokens', { ...admin, body: { uses, expiresIn: '1h' } });
    return { id: made.json.id as string, token: made.json.token as string };
  };
  const enrolment = await newEnrolmentToken(1000);
  const enrol = async (): Promise<WorldAgent> => {
    const deviceId = unique('pc');
    const reply = await h.call('POST', '/agent/v1/enrol', { token: null, body: { token: enrolment.token, deviceId } });
    assert.equal(reply.status, 201, reply.body);
    return { id: reply.json.agentId, deviceId, credential: `${reply.json.agentId}.${reply.json.secret}` };
  };
  const [agent, worker] = [await enrol(), await enrol()];
  const contact = async (who: WorldAgent, capacity: number) =>
    (
      await h.expect(200, 'POST', '/agent/v1/contact', {
        token: who.credential,
        body: { version: '1.0.0', modules: ['command', 'deploy'], running: [], capacity },
      })
    ).json.jobs as { jobstate: string; attempt: number }[];
  const preparedFor = async (agentId: string, runId: string) => {
    let found: string | undefined;
    await until(async () => {
      const open = await h.store.jobstates.listForAgent(agentId, { statuses: ['prepared'] }, 100);
      found = open.find((js) => js.runId === runId)?.id;
      return found !== undefined;
    }, `a job of run ${runId} is prepared for agent ${agentId}`);
    return found as string;
  };
  const runOf = async (taskId: string) =>
    (await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, operator)).json.id as string;

  const taskId = (
    await h.expect(201, 'POST', '/api/v1/tasks', { ...operator, body: taskDef(unique('task'), agent.id) })
  ).json.id;
  const runId = await runOf(taskId);
  const jobstateId = await preparedFor(agent.id, runId);
  const [job] = await contact(agent, 1);
  assert.equal(job?.jobstate, jobstateId);
  const ts = Date.now();
  await h.expect(200, 'POST', `/agent/v1/jobstates/${jobstateId}/events`, {
    token: agent.credential,
    body: {
      attempt: job.attempt,
      events: [
        { seq: 1, ts, type: 'started' },
        { seq: 2, ts, type: 'error', result: { exitCode: 1 } },
      ],
    },
  });
  await until(async () => (await h.store.runs.get(runId))?.status === 'error', 'the first run ended in error');
  const workerTask = (
    await h.expect(201, 'POST', '/api/v1/tasks', { ...operator, body: taskDef(unique('work'), worker.id) })
  ).json.id;

  const now = Date.now();
  await h.store.inventories.put({
    agentId: agent.id,
    orgId: org.id,
    data: { hostname: name },
    collectedAt: now,
    jobstateId: null,
  });
  const inventoryChangeId = newId();
  await h.store.inventories.addHistory({
    id: inventoryChangeId,
    agentId: agent.id,
    orgId: org.id,
    jobstateId: null,
    at: now,
    changes: [{ path: 'hostname', to: name }],
  });
  await h.store.devices.record(org.id, [{ ip: '10.9.8.7', ports: [22], hostname: name }], now, null);
  const deviceId = (await h.store.devices.list({ orgId: org.id }, { limit: 1 })).items[0]?.id as string;

  const content = `the archive of ${name}`;
  const archive = { content, sha256: createHash('sha256').update(content).digest('hex') };
  await h.expect(201, 'POST', '/api/v1/packages/files', {
    ...operator,
    payload: content,
    headers: { 'content-type': 'application/octet-stream' },
  });
  const newPackage = async () =>
    (
      await h.expect(201, 'POST', '/api/v1/packages', {
        ...operator,
        body: {
          name: 'app',
          version: unique('v'),
          archive: archive.sha256,
          steps: [{ type: 'command', command: agentEcho.name, args: { msg: 'hi' } }],
        },
      })
    ).json.id as string;
  const packageId = await newPackage();
  const newChannel = async () =>
    (
      await h.expect(201, 'POST', '/api/v1/channels', {
        ...admin,
        body: { name: unique('hook'), kind: 'webhook', url: CLOSED_PORT_URL, secret: `secret of ${name}` },
      })
    ).json.id as string;
  const channelId = await newChannel();
  const newCalendar = async () =>
    (await h.expect(201, 'POST', '/api/v1/calendars', { ...admin, body: { name: unique('cal'), yearly: ['12-25'] } }))
      .json.id as string;
  const calendarId = await newCalendar();
  const deliveryId = (await h.expect(200, 'POST', `/api/v1/channels/${channelId}/test`, admin)).json.id as string;
  // The agent downloads package content only while a deploy job of its own names it.
  const deployTask = (
    await h.expect(201, 'POST', '/api/v1/tasks', {
      ...operator,
      body: {
        name: unique('deploy'),
        schedule: { kind: 'manual' },
        jobs: [{ name: 'install', module: 'deploy', params: { package: 'app' }, targets: { agents: [agent.id] } }],
      },
    })
  ).json.id;
  const deployJobstateId = await preparedFor(agent.id, await runOf(deployTask));
  assert.equal((await contact(agent, 1))[0]?.jobstate, deployJobstateId, 'the agent holds a running deploy job');

  const fresh: Fresh = {
    async task() {
      const name = unique('task');
      const made = await h.expect(201, 'POST', '/api/v1/tasks', { ...operator, body: taskDef(name, agent.id) });
      return { id: made.json.id, name };
    },
    run: () => runOf(taskId),
    async command() {
      return (
        await h.expect(201, 'POST', '/api/v1/commands', { ...admin, body: { ...agentEcho, name: unique('cmd') } })
      ).json.id;
    },
    enrolmentToken: () => newEnrolmentToken(),
    agent: enrol,
    package: newPackage,
    async user() {
      const body = { name: unique(`${name}-user`), role: 'viewer' };
      return (await h.expect(201, 'POST', `/api/v1/orgs/${org.id}/users`, { ...admin, body })).json.id;
    },
    async apiToken() {
      const made = await h.expect(201, 'POST', `/api/v1/users/${users.viewer.id}/tokens`, {
        token: users.viewer.token,
        body: { name: unique('token') },
      });
      return { id: made.json.id, token: made.json.token };
    },
    async runningJobstate() {
      const id = await preparedFor(worker.id, await runOf(workerTask));
      const jobs = await contact(worker, 1);
      assert.equal(jobs[0]?.jobstate, id);
      return { id, attempt: jobs[0].attempt };
    },
    channel: newChannel,
    calendar: newCalendar,
  };
  const ids = () => [
    org.id,
    ...Object.values(users).flatMap((u) => [u.id, u.tokenId]),
    enrolment.id,
    agent.id,
    worker.id,
    commandId,
    taskId,
    runId,
    jobstateId,
    inventoryChangeId,
    deviceId,
    packageId,
    archive.sha256,
    channelId,
    deliveryId,
    calendarId,
  ];
  return {
    org,
    users,
    password,
    enrolment,
    agent,
    deployJobstateId,
    worker,
    commandId,
    taskId,
    runId,
    jobstateId,
    inventoryChangeId,
    deviceId,
    packageId,
    archive,
    channelId,
    deliveryId,
    calendarId,
    fresh,
    ids,
  };
}
