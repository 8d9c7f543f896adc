// The CLI for a global admin, over real HTTP: --org and TASKWARDEN_ORG on every client
// command, listings that say whose each row is, the local server found through its data
// folder (TASKWARDEN_PORT beating it), --version, task export that applies back unchanged,
// names where ids are (agents; runs as TASK last), enrolment tokens listed and revoked.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentIdOf, runIdOf } from '../../src/cli/refs.ts';
import { TaskwardenClient } from '../../src/client/api.ts';
import type { RunningServer } from '../../src/server/start.ts';
import { runCli } from '../support/cli.ts';
import { type RealServer, startRealServer } from '../support/server.ts';

describe('taskwarden CLI as the global admin', () => {
  let real: RealServer | undefined;
  let dir: string;
  let data: string;
  let server: RunningServer;
  let admin: string;
  /** Only the data folder: the server's URL and the admin token come from it. */
  const tw = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--data', data], { env });

  const api = async (method: string, path: string, body?: unknown, token = admin) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
    return { status: res.status, json: (await res.json().catch(() => null)) as any };
  };

  before(async () => {
    real = await startRealServer('tw-admin-cli-');
    ({ server, dir, data, adminToken: admin } = real);
    for (const name of ['acme', 'beta']) await api('POST', '/api/v1/orgs', { name });
    for (const org of ['acme', 'beta'])
      await api('POST', `/api/v1/commands?org=${org}`, { name: 'say', argv: ['echo', 'hi'] });
    await writeFile(
      join(dir, 'greet.yaml'),
      'name: greet\ndescription: says hi\nschedule: {kind: weekly, days: [mon], at: "09:00", tz: Europe/Paris}\n' +
        'blackouts: [{from: "2026-12-24T00:00:00+01:00", to: "2026-12-27T00:00:00+01:00"}]\n' +
        'jobs: [{name: hi, module: command, params: {command: say}, targets: {server: true}, retry: {attempts: 2, backoff: 1m}}]\n',
    );
  });

  after(() => real?.close());

  test('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8'));
    assert.deepEqual(await runCli(['--version']), { code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  test('a write names its org with --org or TASKWARDEN_ORG; without one it is refused', async () => {
    const file = join(dir, 'greet.yaml');
    const refused = await tw(['task', 'apply', '-f', file]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /org: a global admin must name the org/);
    assert.deepEqual(await tw(['task', 'apply', '-f', file], { TASKWARDEN_ORG: 'acme' }), {
      code: 0,
      stdout: 'created greet\n',
      stderr: '',
    });
    const beta = await tw(['task', 'apply', '-f', file, '--org', 'beta']);
    assert.equal(beta.code, 0, beta.stderr);
    const tasks = (await api('GET', '/api/v1/tasks')).json.items as { name: string; orgId: string }[];
    assert.equal(tasks.filter((t) => t.name === 'greet').length, 2, 'one in each org');
  });

  test("listings say each row's org; --org narrows them", async () => {
    const all = await tw(['task', 'list']);
    assert.equal(all.code, 0, all.stderr);
    const rows = all.stdout.trim().split('\n').slice(2);
    // The fresh install's global housekeeping task is listed too, marked global.
    assert.deepEqual(rows.map((r) => r.split(/\s+/).slice(0, 2).join(' ')).sort(), [
      'greet acme',
      'greet beta',
      'housekeeping (global)',
    ]);
    const narrowed = JSON.parse((await tw(['task', 'list', '--org', 'beta', '--json'])).stdout);
    assert.equal(narrowed.items.length, 1);
    const commands = await tw(['command', 'list', '--org', 'acme']);
    assert.match(commands.stdout, /^say +echo hi +server +acme$/m, commands.stdout);
    const summary = await tw(['summary']);
    assert.match(summary.stdout, /^\[acme\] .* greet — /m);
    assert.match(summary.stdout, /^\[beta\] .* greet — /m);
  });

  test('task export prints a task file that task apply takes back unchanged', async () => {
    const exported = await tw(['task', 'export', 'greet', '--org', 'acme']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.doesNotMatch(exported.stdout, /\b(id|orgId|version|createdAt|updatedAt):/);
    await writeFile(join(dir, 'exported.yaml'), exported.stdout);
    assert.deepEqual(await tw(['task', 'apply', '-f', join(dir, 'exported.yaml'), '--org', 'acme']), {
      code: 0,
      stdout: 'unchanged greet\n',
      stderr: '',
    });
    const all = await tw(['task', 'export', '--org', 'beta', '--json']);
    assert.deepEqual(
      JSON.parse(all.stdout).map((t: { name: string }) => t.name),
      ['greet'],
      'no name: every task, a list',
    );
  });

  test('runs by TASK last, agents by name; a name two agents share is refused with their ids', async () => {
    const run = JSON.parse((await tw(['task', 'run', 'greet', '--org', 'acme', '--wait', '30', '--json'])).stdout);
    const last = await tw(['run', 'show', 'greet', 'last', '--org', 'acme', '--json']);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(JSON.parse(last.stdout).run.id, run.id);
    const client = new TaskwardenClient({ server: server.url, token: admin });
    await assert.rejects(runIdOf(client, 'greet', 'first'), {
      message: /^run: "greet first": name a run by its id, or as TASK last/,
    });
    assert.equal(await runIdOf(client, 'last', undefined), run.id, '`last` alone: the newest run of all');

    const ids: Record<string, string> = {};
    for (const org of ['acme', 'beta']) {
      const { json } = await api('POST', `/api/v1/enrolment-tokens?org=${org}`, { uses: 1, expiresIn: '1h' });
      const enrolled = await fetch(`${server.url}/agent/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: json.token, deviceId: `dev-${org}`, name: 'pc-1' }),
      });
      ids[org] = ((await enrolled.json()) as { agentId: string }).agentId;
    }
    const why = await tw(['agent', 'why', 'pc-1', '--org', 'beta']);
    assert.equal(why.code, 0, why.stderr);
    assert.ok(why.stdout.startsWith(`agent pc-1 (${ids.beta})`), why.stdout);
    await assert.rejects(agentIdOf(client, 'pc-1'), {
      message: new RegExp(`several agents are named "pc-1" \\((${ids.acme}, ${ids.beta}|${ids.beta}, ${ids.acme})\\)`),
    });
    const acmeClient = new TaskwardenClient({ server: server.url, token: admin, org: 'acme' });
    assert.equal(await agentIdOf(acmeClient, 'pc-1'), ids.acme, '--org tells them apart');
  });

  test('enrolment tokens: created with --org, listed with their org and id, revoked by id', async () => {
    const created = JSON.parse(
      (
        await tw([
          'enrolment-token',
          'create',
          '--uses',
          '5',
          '--expires',
          '7d',
          '--tags',
          'a,b',
          '--org',
          'acme',
          '--json',
        ])
      ).stdout,
    );
    assert.deepEqual([created.usesLeft, created.tags], [5, ['a', 'b']]);
    assert.match(created.setup.fusionInventoryConfig, new RegExp(`^user = ${created.id}$`, 'm'));
    const listed = await tw(['enrolment-token', 'list', '--org', 'acme']);
    assert.match(listed.stdout, new RegExp(`^${created.id} +acme +a,b +5 +\\S+ +usable$`, 'm'));
    assert.deepEqual(await tw(['enrolment-token', 'revoke', created.id]), {
      code: 0,
      stdout: `revoked enrolment token ${created.id}\n`,
      stderr: '',
    });
    const enrol = await fetch(`${server.url}/agent/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: created.token, deviceId: 'after-revoke' }),
    });
    assert.equal(enrol.status, 401);
    assert.equal(
      (await tw(['enrolment-token', 'create', '--uses', 'many', '--expires', '7d', '--org', 'acme'])).code,
      2,
    );
  });

  test('token create names its user by name within --org', async () => {
    await api('POST', '/api/v1/orgs/acme/users', { name: 'ops', role: 'operator' });
    const created = await tw(['token', 'create', '--user', 'ops', '--org', 'acme', '--name', 'ci']);
    assert.equal(created.code, 0, created.stderr);
    const tasks = await api('GET', '/api/v1/tasks', undefined, created.stdout.trim());
    assert.deepEqual(
      tasks.json.items.map((t: { name: string }) => t.name),
      ['greet'],
      "the token is ops's, in acme",
    );
  });

  test('TASKWARDEN_PORT beats the data folder; without either the default port is tried', async () => {
    const elsewhere = join(dir, 'no-server-here');
    const port = new URL(server.url).port;
    const viaPort = await runCli(['task', 'list', '--data', elsewhere, '--token', admin, '--json'], {
      env: { TASKWARDEN_PORT: port },
    });
    assert.equal(viaPort.code, 0, viaPort.stderr);
    const wrongPort = await tw(['task', 'list'], { TASKWARDEN_PORT: '1' });
    assert.equal(wrongPort.code, 1);
    assert.match(wrongPort.stderr, /cannot reach http:\/\/127\.0\.0\.1:1\b/);
  });
});
