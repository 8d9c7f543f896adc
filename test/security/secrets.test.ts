// Attack (issue 12, item 6): a value passed to a catalog command as a parameter (a
// password) is read back by a viewer of the org, from the job's log (the argv echo and the
// program's own output), the task's definition, its history or anything else the API or
// the event stream shows. And the value is in the program's argv, so anyone on the
// machine running it reads it in `ps`. A parameter marked `secret: true` must show as `***`
// everywhere; one with `env`/`stdin` must reach the program without going through argv.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TargetsDef } from '../../src/protocol/task-def.ts';
import { allLogs, type FleetServer, killAgents, runEnded, startFleetServer } from '../agent/e2e-support.ts';
import { waitFor } from '../agent/protocol-stub.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const PASSWORD = 'Hunter2-db-Pa55word';
const API_KEY = 'k3y-0f-the-api-7a9f';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Echoes its argument and its hash: the log shows whether the value itself got through. */
const dbCheck = {
  name: 'db-check',
  argv: ['sh', '-c', 'echo "connecting with $1"; printf %s "$1" | sha256sum', 'sh', '{password}'],
  params: { password: { type: 'string', secret: true }, user: { type: 'string', env: 'DB_USER' } },
  runsOn: 'server',
  timeout: '1m',
};

/**
 * Says what it got in its environment, waits until the test creates `release` (the test
 * reads every process's command line and the agent's files meanwhile, finding this one by
 * its marker), then prints the hashes of what it got through its environment and stdin.
 */
const PROBE_MARKER = 'secret-probe';
function probe(release: string): string[] {
  const wait = `i=0; while [ ! -e ${release} ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done`;
  const hashes = 'printf %s "$DB_PASSWORD" | sha256sum; read -r key; printf %s "$key" | sha256sum';
  return ['sh', '-c', `: ${PROBE_MARKER}; echo "got $DB_PASSWORD"; ${wait}; ${hashes}`];
}
let releases = 0;
/** A path the probe waits for; `release()` creates it. */
function releaseFile(): { path: string; release(): Promise<void> } {
  const path = join(tmpdir(), `taskwarden-secret-probe-${process.pid}-${++releases}`);
  return { path, release: () => writeFile(path, '') };
}
/** What the log shows of the probe: the echo with every secret masked, then what it said. */
function probeLog(argv: string[]): string[] {
  return [
    `$ DB_PASSWORD=*** sh -c ${JSON.stringify(argv[2])} <<< ***`,
    'got ***',
    `${sha256(PASSWORD)}  -`,
    `${sha256(API_KEY)}  -`,
  ];
}
const hiddenParams = {
  password: { type: 'string', secret: true, env: 'DB_PASSWORD' },
  apiKey: { type: 'string', secret: true, stdin: true },
};

function commandTask(name: string, command: string, args: Record<string, unknown>, targets: unknown) {
  return {
    name,
    schedule: { kind: 'manual' as const },
    jobs: [{ name: 'check', module: 'command', params: { command, args }, targets: targets as TargetsDef }],
  };
}

/** Every process's command line on this machine that holds `text` (ps would show it). */
async function commandLinesWith(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

/** Every file under `dir` whose content holds `text`. */
async function filesWith(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path, 'utf8').catch(() => '')).includes(text)) found.push(path);
  }
  return found;
}

/**
 * Waits for the probe to run, then returns what `ps` would show that holds a secret. The
 * probe's own command line is there to read (the check looks at the right process).
 */
async function whileProbeRuns(secrets: string[]): Promise<string[]> {
  await waitFor(async () => (await commandLinesWith(PROBE_MARKER)).length > 0, 'the program to start', 20_000);
  assert.match((await commandLinesWith(PROBE_MARKER))[0] ?? '', /^\d+: sh -c : secret-probe;/);
  return (await Promise.all(secrets.map(commandLinesWith))).flat();
}

describe('attack: a viewer reads a secret command parameter back', () => {
  let h: ServerHarness;
  let viewer: string;
  let operator: string;
  let taskId: string;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('acme');
    viewer = (await h.createUser(org.id, 'val', 'viewer')).token;
    operator = (await h.createUser(org.id, 'ops', 'operator')).token;
    await h.expect(201, 'POST', '/api/v1/commands?org=acme', { body: dbCheck });
    const task = commandTask('nightly-db-check', 'db-check', { password: PASSWORD, user: 'backup' }, { server: true });
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task })).json.id;
  });
  after(() => h.cleanup());

  async function runOnce(): Promise<{ runId: string; jobstateId: string; lines: string[] }> {
    const run = await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=20`, { token: operator });
    assert.equal(run.json.status, 'finished', run.body);
    const jobstates = await h.expect(200, 'GET', `/api/v1/runs/${run.json.id}/jobstates`, { token: viewer });
    const jobstateId = jobstates.json.items[0].id as string;
    const logs = await h.expect(200, 'GET', `/api/v1/jobstates/${jobstateId}/logs`, { token: viewer });
    return { runId: run.json.id, jobstateId, lines: logs.json.items.map((l: { line: string }) => l.line) };
  }

  test('the job log masks the value in the argv echo and in the program output; the program got it', async () => {
    const { lines } = await runOnce();
    assert.ok(!lines.join('\n').includes(PASSWORD), lines.join('\n'));
    assert.deepEqual(lines, [
      '$ DB_USER=backup sh -c "echo \\"connecting with $1\\"; printf %s \\"$1\\" | sha256sum" sh ***',
      'connecting with ***',
      `${sha256(PASSWORD)}  -`,
    ]);
  });

  test('the task shows *** to viewers and to the operator who wrote it, in the task and in the list', async () => {
    for (const token of [viewer, operator, h.adminToken]) {
      const task = await h.expect(200, 'GET', `/api/v1/tasks/${taskId}`, { token });
      assert.deepEqual(task.json.jobs[0].params.args, { password: '***', user: 'backup' });
      const list = await h.expect(200, 'GET', '/api/v1/tasks?org=acme', { token });
      assert.ok(!list.body.includes(PASSWORD));
      assert.equal(list.json.items[0].jobs[0].params.args.password, '***');
    }
  });

  test('writing the task back with *** keeps the stored value: no change, and the program still gets it', async () => {
    const shown = await h.expect(200, 'GET', `/api/v1/tasks/${taskId}`, { token: operator });
    const { id: _id, orgId: _org, version, createdAt: _c, updatedAt: _u, ...def } = shown.json;
    const put = await h.expect(200, 'PUT', `/api/v1/tasks/${taskId}`, { token: operator, body: def });
    assert.equal(put.json.version, version, 'writing back what GET showed must change nothing');
    assert.equal(put.json.jobs[0].params.args.password, '***');
    assert.ok((await runOnce()).lines.includes(`${sha256(PASSWORD)}  -`));
  });

  test('the history masks the value in the creation and in an update that changes it', async () => {
    const task = commandTask('rotated', 'db-check', { password: PASSWORD, user: 'backup' }, { server: true });
    const created = await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task });
    const rotated = commandTask('rotated', 'db-check', { password: `${PASSWORD}-2`, user: 'backup' }, { server: true });
    await h.expect(200, 'PUT', `/api/v1/tasks/${created.json.id}`, { token: operator, body: rotated });
    const history = await h.expect(200, 'GET', `/api/v1/tasks/${created.json.id}/history`, { token: viewer });
    assert.ok(!history.body.includes(PASSWORD), history.body);
    const [create, update] = history.json.items;
    assert.equal(create.diff.created.jobs[0].params.args.password, '***');
    assert.deepEqual(Object.keys(update.diff), ['jobs'], 'the change itself is still recorded');
    assert.equal(update.diff.jobs.to[0].params.args.password, '***');
  });

  test('*** cannot carry a stored secret into another command, nor stand for a value never given', async () => {
    await h.expect(201, 'POST', '/api/v1/commands?org=acme', {
      body: {
        ...dbCheck,
        name: 'db-leak',
        argv: ['sh', '-c', 'printf %s "$1" | rev', 'sh', '{password}'],
        params: { password: { type: 'string', secret: true } },
      },
    });
    // The same param name, secret too, in a command that shows it in a way masking misses.
    const moved = commandTask('nightly-db-check', 'db-leak', { password: '***' }, { server: true });
    const refused = await h.expect(400, 'PUT', `/api/v1/tasks/${taskId}`, { token: operator, body: moved });
    assert.equal(refused.json.error.code, 'invalid_input');
    const fresh = commandTask('fresh', 'db-check', { password: '***', user: 'x' }, { server: true });
    const none = await h.expect(400, 'POST', '/api/v1/tasks', { token: operator, body: fresh });
    assert.equal(none.json.error.details?.field ?? none.json.error.field, 'jobs[0].params.args.password');
    const stored = (await h.store.tasks.get(taskId))?.jobs[0]?.params as { command: string; args: unknown };
    assert.deepEqual(stored, { command: 'db-check', args: { password: PASSWORD, user: 'backup' } });
  });

  test('nothing a viewer can read holds the value: REST reads and the event stream during a run', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const stream = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/api/v1/events',
        headers: { authorization: `Bearer ${viewer}` },
      });
      req.on('response', resolve).on('error', reject).end();
    });
    let events = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      events += chunk;
    });
    const task = commandTask('watched', 'db-check', { password: PASSWORD, user: 'backup' }, { server: true });
    const watched = (await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task })).json.id;
    const run = await h.expect(200, 'POST', `/api/v1/tasks/${watched}/runs?wait=20`, { token: operator });
    await waitFor(() => events.includes('"status":"finished"'), 'the run to finish on the event stream');
    stream.destroy();
    assert.ok(!events.includes(PASSWORD), events);

    const jobstates = await h.expect(200, 'GET', `/api/v1/runs/${run.json.id}/jobstates`, { token: viewer });
    const js = jobstates.json.items[0].id;
    const reads = [
      '/api/v1/tasks',
      `/api/v1/tasks/${watched}`,
      `/api/v1/tasks/${watched}/history`,
      `/api/v1/tasks/${watched}/runs`,
      '/api/v1/runs',
      `/api/v1/runs/${run.json.id}`,
      `/api/v1/runs/${run.json.id}/jobstates`,
      `/api/v1/jobstates/${js}`,
      `/api/v1/jobstates/${js}/logs`,
      '/api/v1/summary',
      `/api/v1/summary/${watched}`,
      `/api/v1/reports/tasks/${watched}`,
      '/api/v1/commands',
    ];
    for (const url of reads) {
      const reply = await h.expect(200, 'GET', url, { token: viewer });
      assert.ok(!reply.body.includes(PASSWORD), `${url} shows the secret: ${reply.body}`);
    }
  });

  test('a secret parameter cannot have a default or an enum (viewers read the catalog)', async () => {
    for (const extra of [{ default: PASSWORD }, { enum: [PASSWORD] }]) {
      const params = { password: { type: 'string', secret: true, ...extra }, user: dbCheck.params.user };
      const reply = await h.expect(400, 'POST', '/api/v1/commands?org=acme', { body: { ...dbCheck, params } });
      assert.match(reply.json.error.message, /^params\.password: a secret (cannot have a default|has no enum)/);
    }
  });

  test('env and stdin params reach the server-side program, never through its command line', async () => {
    const gate = releaseFile();
    const argv = probe(gate.path);
    await h.expect(201, 'POST', '/api/v1/commands?org=acme', {
      body: { name: 'db-slow', argv, params: hiddenParams, runsOn: 'server', timeout: '1m' },
    });
    const task = commandTask('slow', 'db-slow', { password: PASSWORD, apiKey: API_KEY }, { server: true });
    const id = (await h.expect(201, 'POST', '/api/v1/tasks', { token: operator, body: task })).json.id;
    const run = h.expect(200, 'POST', `/api/v1/tasks/${id}/runs?wait=20`, { token: operator });
    assert.deepEqual(await whileProbeRuns([PASSWORD, API_KEY]), []);
    await gate.release();
    assert.equal((await run).json.status, 'finished');
    await rm(gate.path, { force: true });
    const jobstates = await h.expect(200, 'GET', `/api/v1/runs/${(await run).json.id}/jobstates`, { token: viewer });
    const logs = await h.expect(200, 'GET', `/api/v1/jobstates/${jobstates.json.items[0].id}/logs`, { token: viewer });
    assert.deepEqual(
      logs.json.items.map((l: { line: string }) => l.line),
      probeLog(argv),
    );
  });
});

describe('attack: an agent spills a secret parameter (command line, spool, its own log)', () => {
  let server: FleetServer;

  before(async () => {
    server = await startFleetServer(['lab']);
  });
  after(async () => {
    await killAgents();
    await server.close();
  });

  test('env and stdin params reach the program on the agent; no command line, spool file or agent log holds them', async () => {
    const agent = await server.startAgent({ name: 'pc-secret' });
    const gate = releaseFile();
    const argv = probe(gate.path);
    const added = await server.call('POST', '/api/v1/commands', {
      name: 'db-slow',
      argv,
      params: hiddenParams,
      runsOn: 'agent',
      timeout: '1m',
    });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    const task = await server.client.createTask(
      commandTask('agent-slow', 'db-slow', { password: PASSWORD, apiKey: API_KEY }, { agents: [agent.agentId] }),
    );
    const { id: runId } = await server.client.runTask(task.id);
    assert.deepEqual(await whileProbeRuns([PASSWORD, API_KEY]), []);
    // Once the server has the line that held the value, the agent has spooled it.
    const logged = async () => {
      const [js] = await server.client.runJobstates(runId);
      return js !== undefined && (await allLogs(server.client, js.id)).some((l) => l.line === 'got ***');
    };
    await waitFor(logged, 'the masked line to reach the server');
    assert.equal((await filesWith(join(agent.dir, 'spool'), 'got ***')).length, 1, 'the spool holds the line');
    for (const secret of [PASSWORD, API_KEY]) {
      assert.deepEqual(await filesWith(agent.dir, secret), [], 'a file of the agent holds a secret while it runs');
    }
    await gate.release();
    const run = await runEnded(server.client, runId);
    const [js] = await server.client.runJobstates(runId);
    const lines = (await allLogs(server.client, js?.id as string)).map((l) => l.line);
    assert.equal(run.status, 'finished', lines.join('\n'));
    assert.deepEqual(lines, probeLog(argv));
    await rm(gate.path, { force: true });
    for (const secret of [PASSWORD, API_KEY]) {
      assert.ok(!agent.output().includes(secret), 'the agent logged a secret');
      assert.deepEqual(await filesWith(agent.dir, secret), []);
    }
  });
});
