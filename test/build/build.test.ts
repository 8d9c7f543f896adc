// The compiled build (issue 18): what `npm run build` makes of src/ runs without TypeScript:
// the CLI and its lazily loaded commands, the agent's entry point, and `taskwarden/sdk` for a
// third party, types included. bin/taskwarden.js runs dist/ while it is as new as src/, else
// the sources through tsx, saying so. The repository's own dist/ is used when it is fresh
// (after npm ci); otherwise this builds one into a temporary folder (tsc: some seconds).
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BUILD_STAMP, buildState, replaceBuild } from '../../scripts/build-state.mjs';
import { startCli } from '../support/cli.ts';

const root = resolve(import.meta.dirname, '../..');
const LIMIT_MS = 60_000;
const { TASKWARDEN_FROM_SOURCE: _, ...env } = process.env;

function node(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  const res = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: LIMIT_MS, env, ...opts });
  if (res.error) throw res.error;
  return res;
}

function copy(from: string, to: string): void {
  mkdirSync(join(to, '..'), { recursive: true });
  copyFileSync(from, to);
}

describe('the compiled build', () => {
  let tmp: string;
  /** An install without sources: package.json, bin/, scripts/build-state.mjs and dist/. */
  let pkg: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tw-build-'));
    pkg = join(tmp, 'pkg');
    if (buildState(root) === 'fresh') cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    else {
      const res = node([join(root, 'scripts', 'build-src.mjs'), '--out-dir', join(pkg, 'dist')], { cwd: root });
      assert.equal(res.status, 0, res.stdout + res.stderr);
    }
    for (const file of ['package.json', 'bin/taskwarden.js', 'scripts/build-state.mjs'])
      copy(join(root, file), join(pkg, file));
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  });

  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  test('an install without sources runs the compiled CLI, its lazy commands and the agent', () => {
    const bin = join(pkg, 'bin', 'taskwarden.js');
    const help = node([bin, '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: taskwarden/);
    assert.equal(help.stderr, '');
    const schedule = '{"kind":"cron","expr":"0 2 * * *","tz":"UTC"}';
    const preview = node([
      bin,
      'schedule',
      'preview',
      '--schedule',
      schedule,
      '--from',
      '2026-01-01T00:00:00Z',
      '--count',
      '2',
      '--json',
    ]);
    assert.equal(preview.status, 0, preview.stderr);
    assert.deepEqual(JSON.parse(preview.stdout).firings, ['2026-01-01T02:00:00.000Z', '2026-01-02T02:00:00.000Z']);
    const summary = node([bin, 'summary', '--server', 'http://127.0.0.1:1', '--token', 'x']);
    assert.equal(summary.status, 1);
    assert.match(summary.stderr, /^taskwarden: cannot reach http:\/\/127\.0\.0\.1:1/);
    // The agent's entry point and runtime load (lazily) and check their flags.
    const agent = node([bin, 'agent', '--server', 'http://127.0.0.1:1', '--long-poll', '99', '--data', join(tmp, 'a')]);
    assert.equal(agent.status, 2, agent.stderr);
    assert.match(agent.stderr, /--long-poll/);
  });

  test('the bundled server answers: /health, its API (validated, serialized, a password login) and its docs', async () => {
    // What the bundle moved: packages bundled or left to node_modules (argon2, swagger-ui's
    // files), and schemas compiled at their first request rather than before listening.
    const data = join(tmp, 'server');
    const server = startCli(['server', '--data', data, '--port', '0'], {
      bin: join(pkg, 'bin', 'taskwarden.js'),
      env: { TASKWARDEN_FROM_SOURCE: '', TASKWARDEN_LOG_LEVEL: 'silent' },
    });
    try {
      const [, url] = (await server.waitFor(/listening on (http:\/\/\S+)/)) as [string, string];
      const call = async (method: string, path: string, body?: unknown, token?: string) => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.text()) || '{}' };
      };
      assert.deepEqual(await call('GET', '/health'), { status: 200, body: '{"status":"ok"}' });
      const admin = (await readFile(join(data, 'admin.token'), 'utf8')).trim();
      const refused = await call('POST', '/api/v1/orgs', { name: 'built', extra: 1 }, admin);
      assert.equal(refused.status, 400, refused.body);
      assert.match(refused.body, /extra/);
      assert.equal((await call('POST', '/api/v1/orgs', { name: 'built' }, admin)).status, 201);
      const user = { name: 'builder', role: 'org-admin', password: 'a long enough password' };
      const created = await call('POST', '/api/v1/orgs/built/users', user, admin);
      assert.equal(created.status, 201, created.body);
      assert.ok(!created.body.includes('passwordHash'), 'a reply carries the fields its schema names only');
      assert.equal((await call('POST', '/api/v1/login', { name: 'builder', password: user.password })).status, 200);
      assert.equal((await call('POST', '/api/v1/login', { name: 'builder', password: 'wrong password!' })).status, 401);
      const doc = await call('GET', '/api/docs/json');
      assert.equal(doc.status, 200);
      assert.ok(JSON.parse(doc.body).paths['/health']);
      // swagger-ui serves the files beside its code, which is why it stays in node_modules.
      const css = await call('GET', '/api/docs/static/swagger-ui.css');
      assert.equal(css.status, 200);
      assert.match(css.body, /swagger-ui/);
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
  });

  test('a third party imports taskwarden/sdk: the compiled SDK, with its types', () => {
    const consumer = join(tmp, 'consumer');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(pkg, join(consumer, 'node_modules', 'taskwarden'));
    symlinkSync(join(root, 'node_modules', '@types'), join(consumer, 'node_modules', '@types'));
    writeFileSync(join(consumer, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', strict: true, noEmit: true, types: ['node'], target: 'es2022' },
        include: ['module.ts'],
      }),
    );
    writeFileSync(
      join(consumer, 'module.ts'),
      [
        "import { defineModule } from 'taskwarden/sdk';",
        'export const ping = defineModule<{ host: string }>({',
        "  name: 'ping', title: 'Ping', runsOn: 'server',",
        "  paramsSchema: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'] },",
        '  execute: async () => ({ done: true, ok: true }),',
        '});',
        '// @ts-expect-error: with the types there, a name is not a number (without them, this line errs)',
        'export const wrong: number = ping.name;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(consumer, 'run.mjs'),
      "import { defineModule } from 'taskwarden/sdk';\nconsole.log(defineModule({ name: 'm', title: 'M', runsOn: 'server', paramsSchema: { type: 'object' }, execute: async () => ({ done: true }) }).name);\n",
    );
    const run = node([join(consumer, 'run.mjs')], { cwd: consumer });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'm\n');
    const types = node([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], { cwd: consumer });
    assert.equal(types.status, 0, types.stdout + types.stderr);
  });

  test('bin/taskwarden.js runs dist/ while it is fresh, else the sources through tsx and says so', () => {
    // A checkout whose src/ is one file that says it ran: which code runs shows in the output.
    const repo = join(tmp, 'repo');
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'bin/taskwarden.js']) {
      copy(join(root, file), join(repo, file));
    }
    for (const file of ['build-state.mjs', 'build-src.mjs'])
      copy(join(root, 'scripts', file), join(repo, 'scripts', file));
    symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'));
    mkdirSync(join(repo, 'src', 'cli'), { recursive: true });
    const source = join(repo, 'src', 'cli', 'main.ts');
    writeFileSync(source, "const said: string = 'sources\\n';\nprocess.stdout.write(said);\n");
    mkdirSync(join(repo, 'dist'));
    // The built CLI: its entry point and the chunks it shares with the rest of the bundle.
    for (const dir of ['cli', 'chunks']) symlinkSync(join(pkg, 'dist', dir), join(repo, 'dist', dir));
    const stamp = join(repo, 'dist', BUILD_STAMP);
    writeFileSync(stamp, '');
    const bin = join(repo, 'bin', 'taskwarden.js');
    const hourFromNow = new Date(Date.now() + 3_600_000);
    const twoHoursFromNow = new Date(Date.now() + 7_200_000);

    utimesSync(stamp, hourFromNow, hourFromNow);
    const fresh = node([bin, '--help']);
    assert.match(fresh.stdout, /^Usage: taskwarden/);
    assert.equal(fresh.stderr, '');
    const asked = node([bin, '--help'], { env: { ...env, TASKWARDEN_FROM_SOURCE: '1' } });
    assert.deepEqual([asked.stdout, asked.stderr], ['sources\n', '']);

    utimesSync(source, twoHoursFromNow, twoHoursFromNow);
    const stale = node([bin, '--help']);
    assert.equal(stale.stdout, 'sources\n');
    assert.match(stale.stderr, /^taskwarden: dist\/ is older than src\/, running the TypeScript through tsx[^\n]*\n$/);
    // A server relaunched with its Node flags (cli/relaunch.ts): its first process said so already.
    const relaunched = node([bin, '--help'], { env: { ...env, TASKWARDEN_RELAUNCHED: '1' } });
    assert.deepEqual([relaunched.stdout, relaunched.stderr], ['sources\n', '']);

    rmSync(stamp);
    const missing = node([bin, '--help']);
    assert.equal(missing.stdout, 'sources\n');
    assert.match(missing.stderr, /^taskwarden: dist\/ is not built, running the TypeScript through tsx[^\n]*\n$/);
  });
});

test('a rebuild of dist/ keeps the single-file agent built beside it', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'tw-rebuild-'));
  const [dist, staging] = [join(tmp, 'dist'), join(tmp, 'dist.building')];
  mkdirSync(dist);
  mkdirSync(staging);
  writeFileSync(join(dist, 'taskwarden-agent'), 'the agent executable');
  writeFileSync(join(dist, 'left-over.js'), 'an old build output');
  writeFileSync(join(staging, 'main.js'), 'the new build');
  replaceBuild(staging, dist);
  assert.equal(readFileSync(join(dist, 'taskwarden-agent'), 'utf8'), 'the agent executable');
  assert.deepEqual(readdirSync(dist).sort(), ['main.js', 'taskwarden-agent']);
  assert.equal(existsSync(staging), false);
  await rm(tmp, { recursive: true, force: true });
});
