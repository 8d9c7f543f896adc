// The real `taskwarden` binary against a real server over a socket: task files, runs with
// --wait and --follow, listings with --json, and the Contract's exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../src/server/start.ts';
import { BIN, cliEnv } from '../support/cli.ts';
import { type RealServer, startRealServer } from '../support/server.ts';

let real: RealServer;
let server: RunningServer;
let dir: string;
let orgToken: string;
/** An enrolled agent that never calls: its jobs wait until cancelled. */
let frontDesk: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], token = orgToken): Promise<Result> {
  const child = spawn(process.execPath, [BIN, ...args, '--server', server.url, '--token', token], {
    env: cliEnv({ TASKWARDEN_URL: '', TASKWARDEN_TOKEN: '' }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

before(async () => {
  real = await startRealServer('tw-cli-', { TASKWARDEN_TEST_MODULES: '1' });
  ({ server, dir } = real);
  const admin = real.adminToken;
  const org = await cli(['org', 'create', 'acme', '--json'], admin);
  assert.equal(org.code, 0, org.stderr);
  const user = await cli(['user', 'create', 'ops', '--org', 'acme', '--role', 'org-admin', '--json'], admin);
  assert.equal(user.code, 0, user.stderr);
  const token = await cli(['token', 'create', '--user', JSON.parse(user.stdout).id, '--name', 'cli-tests'], admin);
  assert.equal(token.code, 0, token.stderr);
  orgToken = token.stdout.trim();
  const catalog = await file(
    'catalog.yaml',
    `- {name: say, argv: [echo, "{msg}"], params: {msg: {type: string, pattern: "^[a-z ]+$"}}}\n- {name: fail, argv: ["false"]}\n`,
  );
  // They run on the server: the global admin defines them, for the org.
  const added = await cli(['command', 'add', '-f', catalog, '--org', 'acme'], admin);
  assert.equal(added.code, 0, added.stderr);
});

after(() => real.close());

describe('taskwarden CLI against a real server', () => {
  test('task apply creates, then leaves alone, then updates and names what changed', async () => {
    const path = await file(
      'tasks.yaml',
      `- name: greet\n  schedule: {kind: manual}\n  jobs: [{name: hello, module: command, params: {command: say, args: {msg: hello world}}, targets: {server: true}}]\n`,
    );
    assert.deepEqual(await cli(['task', 'apply', '-f', path]), { code: 0, stdout: 'created greet\n', stderr: '' });
    assert.deepEqual(await cli(['task', 'apply', '-f', path]), { code: 0, stdout: 'unchanged greet\n', stderr: '' });
    await writeFile(path, (await readFile(path, 'utf8')).replace('{kind: manual}', '{kind: cron, expr: "0 3 * * *"}'));
    const updated = await cli(['task', 'apply', '-f', path, '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(JSON.parse(updated.stdout), [{ name: 'greet', action: 'updated', changes: ['schedule'] }]);
    await writeFile(path, `${await readFile(path, 'utf8')}  timeslotEnd: pause\n`);
    assert.deepEqual(await cli(['task', 'apply', '-f', path]), {
      code: 0,
      stdout: 'updated greet (timeslotEnd)\n',
      stderr: '',
    });
  });

  test('task show prints a task file that task apply takes back unchanged; --json the API record', async () => {
    const shownTask = await cli(['task', 'show', 'greet']);
    assert.equal(shownTask.code, 0, shownTask.stderr);
    assert.match(shownTask.stdout, /^# task \S+, version \d+, updated /);
    assert.doesNotMatch(shownTask.stdout, /^id:/m);
    const path = await file('shown.yaml', shownTask.stdout);
    assert.deepEqual(await cli(['task', 'apply', '-f', path]), { code: 0, stdout: 'unchanged greet\n', stderr: '' });
    const record = JSON.parse((await cli(['task', 'show', 'greet', '--json'])).stdout);
    assert.equal(record.name, 'greet');
    assert.equal(typeof record.id, 'string');
  });

  test('task history names the changed fields as the task file does', async () => {
    const history = await cli(['task', 'history', 'greet']);
    assert.equal(history.code, 0, history.stderr);
    const rows = history.stdout.trim().split('\n').slice(2);
    assert.deepEqual(
      rows.map((r) => r.trim().split(/ {2,}/).slice(1)),
      [
        ['create', 'ops'],
        ['update', 'ops', 'schedule'],
        ['update', 'ops', 'timeslotEnd'],
      ],
    );
    const json = JSON.parse((await cli(['task', 'history', 'greet', '--json'])).stdout);
    assert.deepEqual(json.items[2].diff, { timeslotEnd: { from: 'finish', to: 'pause' } });
  });

  test('task run --wait exits 0 for a finished run and its stdout is in the logs', async () => {
    const run = await cli(['task', 'run', 'greet', '--wait', '20', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout);
    assert.equal(body.status, 'finished');
    assert.equal(body.completion, 100);
    const show = await cli(['run', 'show', body.id, '--logs']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /stdout +hello world/);
  });

  test('task run --follow exits 1 when the run fails', async () => {
    const path = await file(
      'failing.yaml',
      `name: broken\nschedule: {kind: manual}\njobs: [{name: nope, module: command, params: {command: fail}, targets: {server: true}}]\n`,
    );
    assert.equal((await cli(['task', 'apply', '-f', path])).code, 0);
    const run = await cli(['task', 'run', 'broken', '--follow']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /run \S+ error/);
  });

  test('listings answer --json in the API shapes', async () => {
    const missing = await cli(['task', 'run', 'no-such-task']);
    assert.equal(missing.code, 3, `not found: ${missing.stderr}`);
    assert.match(missing.stderr, /^taskwarden: no task named "no-such-task"$/m);
    const tasks = JSON.parse((await cli(['task', 'list', '--json'])).stdout);
    assert.deepEqual(tasks.items.map((t: { name: string }) => t.name).sort(), ['broken', 'greet']);
    const runs = JSON.parse((await cli(['run', 'list', '--task', 'greet', '--json'])).stdout);
    assert.equal(runs.items.length, 1);
    assert.ok('next' in runs);
    const summary = JSON.parse((await cli(['summary', '--json'])).stdout);
    const greet = summary.items.find((l: { task: string }) => l.task === 'greet');
    assert.equal(greet.status, 'finished');
    assert.equal(greet.completion, 100);
    const commands = JSON.parse((await cli(['command', 'list', '--json'])).stdout);
    assert.deepEqual(commands.items.map((c: { name: string }) => c.name).sort(), ['fail', 'say']);
  });

  test('ledger shows the last outcome of each job on each target, filtered by task and outcome', async () => {
    const all = await cli(['ledger']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^task +job +target +outcome +reason +attempt +at +run$/m);
    assert.match(all.stdout, /^broken +nope +server +error +\S+ +1 /m);
    assert.match(all.stdout, /^greet +hello +server +finished +1 /m);
    const errors = JSON.parse((await cli(['ledger', '--outcome', 'error', '--json'])).stdout);
    assert.deepEqual(
      errors.items.map((e: { taskName: string; job: string }) => `${e.taskName}/${e.job}`),
      ['broken/nope'],
    );
    const greet = JSON.parse((await cli(['ledger', '--task', 'greet', '--agent', 'server', '--json'])).stdout);
    assert.deepEqual(
      greet.items.map((e: { outcome: string; attempt: number }) => [e.outcome, e.attempt]),
      [['finished', 1]],
    );
    const unknown = await cli(['ledger', '--task', 'no-such-task']);
    assert.equal(unknown.code, 3, 'not found');
    assert.equal(unknown.stderr.trim().split('\n').length, 1);
  });

  test('bad input exits 2 with one line on stderr, and changes nothing', async () => {
    const bad = await file('bad.yaml', 'name: bad\nschedule: {kind: weekly, days: [xyz], at: "09:00"}\njobs: []\n');
    const badEnd = await file('bad-end.yaml', 'name: bad\ntimeslotEnd: later\njobs: [{name: n, module: noop}]\n');
    const refused = await cli(['task', 'apply', '-f', badEnd]);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /timeslotEnd: must be one of finish, cancel, pause/);
    for (const args of [
      ['task', 'apply', '-f', bad],
      ['task', 'apply', '-f', join(dir, 'missing.yaml')],
      ['task', 'run', 'greet', '--wait', 'soon'],
      ['task', 'frobnicate'],
    ]) {
      const res = await cli(args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, /^taskwarden: /);
    }
    const tasks = JSON.parse((await cli(['task', 'list', '--json'])).stdout);
    assert.equal(tasks.items.length, 2, 'nothing was written');
  });

  test('agent allow-reenrol lets an enrolled device enrol again once; --cancel withdraws it', async () => {
    const created = await fetch(`${server.url}/api/v1/enrolment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orgToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ uses: 3, expiresIn: '1h' }),
    });
    const enrolment = ((await created.json()) as { token: string }).token;
    const enrol = () =>
      fetch(`${server.url}/agent/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: enrolment, deviceId: 'cli-reinstalled' }),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as { agentId: string } }));
    const first = await enrol();
    assert.equal(first.status, 201);
    assert.equal((await enrol()).status, 409);
    const allowed = await cli(['agent', 'allow-reenrol', first.json.agentId, '--for', '2d', '--json']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.ok(Date.parse(JSON.parse(allowed.stdout).reenrolAllowedUntil) > Date.now() + 86_400_000);
    const cancelled = await cli(['agent', 'allow-reenrol', first.json.agentId, '--cancel']);
    assert.match(cancelled.stdout, /may not enrol again/);
    assert.equal((await enrol()).status, 409);
    assert.match((await cli(['agent', 'allow-reenrol', first.json.agentId])).stdout, /may enrol again until /);
    const again = await enrol();
    assert.deepEqual([again.status, again.json.agentId], [200, first.json.agentId]);
    assert.equal((await cli(['agent', 'allow-reenrol', first.json.agentId, '--for', '90d'])).code, 2);
  });

  test('run list has a task column; run show names the task and the agents by name', async () => {
    const created = await fetch(`${server.url}/api/v1/enrolment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orgToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ uses: 1, expiresIn: '1h' }),
    });
    const enrolment = ((await created.json()) as { token: string }).token;
    const enrolled = await fetch(`${server.url}/agent/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: enrolment, deviceId: 'named-pc', name: 'front-desk' }),
    });
    const { agentId } = (await enrolled.json()) as { agentId: string };
    frontDesk = agentId;
    const path = await file(
      'on-agent.yaml',
      `name: on-agent\nschedule: {kind: manual}\njobs: [{name: ping, module: inventory, targets: {agents: [${agentId}]}}]\n`,
    );
    const applied = await cli(['task', 'apply', '-f', path]);
    assert.equal(applied.code, 0, applied.stderr);
    const started = await cli(['task', 'run', 'on-agent', '--json']);
    assert.equal(started.code, 0, started.stderr);
    const runId = JSON.parse(started.stdout).id as string;
    const list = await cli(['run', 'list']);
    assert.equal(list.code, 0, list.stderr);
    const [header, ...rows] = list.stdout.trim().split('\n');
    assert.match(header ?? '', /^id +task +org /);
    assert.match(rows.find((r) => r.startsWith(runId)) ?? '', new RegExp(`^${runId} +on-agent +acme `));
    assert.ok(
      rows.some((r) => / greet +acme /.test(r)),
      list.stdout,
    );
    const show = await cli(['run', 'show', 'on-agent', 'last']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`^run ${runId} of on-agent `));
    assert.match(show.stdout, / ping +inventory +front-desk /);
    assert.equal(show.stdout.includes(agentId), false, show.stdout);
  });

  test('task run --follow into a pipe prints a progress line only when it changes', async () => {
    const path = await file(
      'waiting.yaml',
      `name: waiting\nschedule: {kind: manual}\njobs: [{name: wait, module: inventory, targets: {agents: [${frontDesk}]}}]\n`,
    );
    assert.equal((await cli(['task', 'apply', '-f', path])).code, 0);
    const started = Date.now();
    const following = cli(['task', 'run', 'waiting', '--follow']);
    // Several polls (and, before, several redraws of the bar, one per 2 s) with nothing changing.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const runs = JSON.parse((await cli(['run', 'list', '--task', 'waiting', '--json'])).stdout);
    assert.equal((await cli(['run', 'cancel', runs.items[0].id])).code, 0);
    const followed = await following;
    assert.ok(Date.now() - started >= 5_000);
    assert.equal(followed.code, 1, followed.stderr);
    assert.match(followed.stdout, /^run \S+ cancelled/);
    // The progress is on stderr: a line per change, the first as it starts, the last as it ended.
    const lines = followed.stderr.trim().split('\n');
    assert.ok(lines.length >= 2, followed.stderr);
    for (const [i, line] of lines.entries())
      assert.notEqual(line, lines[i - 1], `line ${i} repeats: ${followed.stderr}`);
    assert.match(lines.at(-1) ?? '', / cancelled$/);
  });

  test('a wrong token exits 5 and an unreachable server exits 1', async () => {
    const denied = await cli(['task', 'list'], 'not-a-token');
    assert.equal(denied.code, 5);
    assert.match(denied.stderr, /taskwarden: /);
    const child = spawn(process.execPath, [BIN, 'task', 'list', '--server', 'http://127.0.0.1:9', '--token', 'x'], {
      env: cliEnv(),
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
  });
});
