// The deploy module: the server half renders a package's manifest for an agent (catalog
// commands only), the agent half installs from a real tar archive, then finds it unneeded;
// failures end ko without running later steps; the summary reads like seed 001.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PackageRecord } from '../../src/core/ports/fleet.ts';
import type { ModuleServices, SummaryInput } from '../../src/core/ports/module.ts';
import type { LedgerEntry } from '../../src/core/ports/store.ts';
import { deployModule, parseManifest } from '../../src/modules/deploy/index.ts';
import type { DeployParams, DeployPayload } from '../../src/modules/deploy/schema.ts';
import { makeLedger } from '../store/fixtures.ts';
import { agentJobContext } from './agent-job-context.ts';
import { catalogEntry, catalogService } from './command-catalog.ts';
import { type TarSpec, writeTar } from './tar-builder.ts';

const SHA = 'b'.repeat(64);
const PATH_PARAM = { type: 'string', pattern: '^/[A-Za-z0-9/_.-]*$' };
const catalog = [
  catalogEntry({
    name: 'mark',
    argv: ['sh', '-c', 'echo installed > "$1"', 'mark', '{path}'],
    params: { path: PATH_PARAM },
    runsOn: 'agent',
  }),
  catalogEntry({ name: 'is-file', argv: ['test', '-f', '{path}'], params: { path: PATH_PARAM }, runsOn: 'both' }),
  catalogEntry({ name: 'remove', argv: ['rm', '-rf', '{path}'], params: { path: PATH_PARAM }, runsOn: 'agent' }),
  catalogEntry({ name: 'fail', argv: ['sh', '-c', 'echo nope >&2; exit 3'], runsOn: 'agent' }),
  catalogEntry({ name: 'server-only', argv: ['true'], runsOn: 'server' }),
];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taskwarden-deploy-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function manifestFor(root: string, steps: unknown[] = []) {
  return parseManifest(
    {
      checks: [
        { type: 'file-exists', path: `${root}/app/bin/app` },
        { type: 'command', command: 'is-file', args: { path: `${root}/marker` } },
      ],
      steps: [
        { type: 'extract', to: `${root}/app` },
        { type: 'command', command: 'mark', args: { path: `${root}/marker` } },
        ...steps,
      ],
      uninstall: {
        checks: [{ type: 'file-absent', path: `${root}/app` }],
        steps: [{ type: 'command', command: 'remove', args: { path: `${root}/app` } }],
      },
    },
    'manifest',
  );
}

function services(manifest: unknown, ledger: LedgerEntry[] = []): Partial<ModuleServices> {
  const pkg: PackageRecord = {
    id: 'pkg-1',
    orgId: 'org-1',
    name: 'libreoffice',
    version: '24.8',
    sha256: SHA,
    size: 10,
    manifest: manifest as Record<string, unknown>,
    createdAt: 0,
    createdBy: null,
  };
  return {
    commands: catalogService(catalog).commands,
    ledger: { ofTarget: async (target) => ledger.filter((e) => e.target === target) },
    packages: {
      find: async (name, version) => (name === pkg.name && (version ?? pkg.version) === pkg.version ? pkg : null),
      // The tests extract under their temp folder, allowed for the org as the global admin would.
      extractPrefixes: async () => ['/opt/lo', dir],
      pruneUnreferencedFiles: () => Promise.reject(new Error('not expected')),
      deleteOrphanFiles: () => Promise.reject(new Error('not expected')),
    },
  };
}

async function payloadOf(
  manifest: unknown,
  params: Partial<DeployParams> = {},
  ledger: LedgerEntry[] = [],
): Promise<DeployPayload> {
  const parsed = deployModule.parseParams({ package: 'libreoffice', ...params }, 'params');
  const jobstate = {
    id: 'js-1',
    runId: 'r',
    taskId: 't',
    orgId: 'org-1',
    job: 'libreoffice',
    attempt: 1,
    agentId: 'a-1',
  };
  return (await deployModule.payload!({
    params: parsed,
    jobstate,
    services: services(manifest, ledger) as ModuleServices,
  })) as DeployPayload;
}

/** Runs the agent half with `archive` as the package file; returns the outcome and how often it was fetched. */
async function runAgent(
  payload: unknown,
  archive: string,
  action: DeployParams['action'] = 'install',
  packageRoot = join(dir, 'package-root'),
) {
  const fetched: string[] = [];
  const { ctx, logs } = agentJobContext<DeployParams>({ package: 'libreoffice', action, force: false }, payload, {
    fetchFile: async (sha256) => {
      fetched.push(sha256);
      return archive;
    },
    packageRoot,
  });
  return { outcome: await deployModule.agent!.run(ctx), fetched, logs };
}

let n = 0;
async function packageDir(entries: TarSpec[]) {
  const root = join(dir, `case-${++n}`);
  const archive = join(dir, `case-${n}.tar`);
  await writeTar(archive, entries);
  return { root, archive };
}

const APP: TarSpec[] = [
  { name: 'bin/', type: 'directory' },
  { name: 'bin/app', content: '#!/bin/sh\n', mode: 0o755 },
];

describe('deploy module', () => {
  test('the payload names the archive by hash and renders catalog commands to argv', async () => {
    const payload = await payloadOf(manifestFor('/opt/lo'));
    assert.deepEqual(payload.package, { name: 'libreoffice', version: '24.8', sha256: SHA, size: 10 });
    assert.deepEqual(payload.checks, [
      { type: 'file-exists', path: '/opt/lo/app/bin/app' },
      { type: 'command', command: 'is-file', argv: ['test', '-f', '/opt/lo/marker'], timeoutSeconds: 300 },
    ]);
    assert.deepEqual(payload.steps[1], {
      type: 'command',
      command: 'mark',
      argv: ['sh', '-c', 'echo installed > "$1"', 'mark', '/opt/lo/marker'],
      timeoutSeconds: 300,
    });
    const uninstall = await payloadOf(manifestFor('/opt/lo'), { action: 'uninstall' });
    assert.deepEqual(uninstall.steps, [
      { type: 'command', command: 'remove', argv: ['rm', '-rf', '/opt/lo/app'], timeoutSeconds: 300 },
    ]);
  });

  test('the payload fails, saying why, for a missing package, procedure or command', async () => {
    await assert.rejects(
      payloadOf(manifestFor('/x'), { package: 'thunderbird' }),
      /package "thunderbird" was not uploaded/,
    );
    await assert.rejects(payloadOf(manifestFor('/x'), { version: '1.0' }), /version "1.0" was not uploaded/);
    const { uninstall: _, ...installOnly } = manifestFor('/x');
    await assert.rejects(payloadOf(installOnly, { action: 'uninstall' }), /has no uninstall procedure/);
    const serverOnly = parseManifest({ steps: [{ type: 'command', command: 'server-only' }] }, 'manifest');
    await assert.rejects(
      payloadOf(serverOnly),
      /manifest\.steps\[0\]\.command: command "server-only" runs on the server only/,
    );
    const badArgs = parseManifest(
      { steps: [{ type: 'command', command: 'mark', args: { path: 'rel; rm -rf /' } }] },
      'm',
    );
    await assert.rejects(payloadOf(badArgs), /manifest\.steps\[0\]\.args\.path/);
    const unknown = parseManifest({ steps: [{ type: 'command', command: 'nope' }] }, 'm');
    await assert.rejects(payloadOf(unknown), /"nope" is not in the command catalog/);
  });

  test('without checks, the ledger decides: a version installed on the agent is unneeded unless forced', async () => {
    const { root, archive } = await packageDir(APP);
    const noChecks = parseManifest({ steps: [{ type: 'extract', to: `${root}/app` }] }, 'manifest');
    const outcome = (at: number, result: Record<string, unknown>, over: Partial<LedgerEntry> = {}) =>
      makeLedger({
        target: 'a-1',
        at,
        result: { package: 'libreoffice', version: '24.8', action: 'install', ...result },
        ...over,
      });
    const installed = outcome(1000, { outcome: 'ok' }, { runId: 'run-ok' });
    const told = await payloadOf(noChecks, {}, [outcome(500, { outcome: 'ko' }), installed]);
    assert.deepEqual(told.installed, { runId: 'run-ok', at: new Date(1000).toISOString() });
    const skipped = await runAgent(told, archive);
    assert.deepEqual(skipped.outcome.result, {
      package: 'libreoffice',
      version: '24.8',
      action: 'install',
      outcome: 'unneeded',
      installedBy: 'run-ok',
    });
    assert.deepEqual(skipped.fetched, []);

    const notInstalled = [
      [outcome(2000, { action: 'uninstall', outcome: 'ok' }), installed], // removed since
      [outcome(1000, { version: '7.0', outcome: 'ok' })], // another version
      [outcome(1000, { outcome: 'ko' }, { status: 'error' })], // failed
      [outcome(1000, { outcome: 'ok' }, { target: 'a-2' })], // another agent
    ];
    for (const ledger of notInstalled) assert.equal((await payloadOf(noChecks, {}, ledger)).installed, undefined);
    const forced = await payloadOf(noChecks, { force: true }, [installed]);
    assert.equal(forced.installed, undefined);
    assert.equal(((await runAgent(forced, archive)).outcome.result as { outcome: string }).outcome, 'ok');
    // With checks, the checks decide: here they fail (nothing there), so it installs.
    const withChecks = await payloadOf(manifestFor(join(dir, 'elsewhere')), {}, [installed]);
    assert.equal(((await runAgent(withChecks, archive)).outcome.result as { outcome: string }).outcome, 'ok');
  });

  test('installs (extract then commands), then a second run is unneeded without fetching', async () => {
    const { root, archive } = await packageDir(APP);
    const payload = await payloadOf(manifestFor(root));
    const first = await runAgent(payload, archive);
    assert.deepEqual(first.outcome, {
      ok: true,
      result: { package: 'libreoffice', version: '24.8', action: 'install', outcome: 'ok' },
    });
    assert.deepEqual(first.fetched, [SHA]);
    assert.equal((await stat(join(root, 'app/bin/app'))).mode & 0o777, 0o755);
    assert.equal(await readFile(join(root, 'marker'), 'utf8'), 'installed\n');

    const second = await runAgent(payload, archive);
    assert.equal(second.outcome.ok, true);
    assert.equal((second.outcome.result as { outcome: string }).outcome, 'unneeded');
    assert.deepEqual(second.fetched, []);

    const uninstall = await payloadOf(manifestFor(root), { action: 'uninstall' });
    assert.equal(
      ((await runAgent(uninstall, archive, 'uninstall')).outcome.result as { outcome: string }).outcome,
      'ok',
    );
    await assert.rejects(stat(join(root, 'app')));
    assert.equal(
      ((await runAgent(uninstall, archive, 'uninstall')).outcome.result as { outcome: string }).outcome,
      'unneeded',
    );
  });

  test('a relative extract and relative checks are under the agent’s package root; a withdrawn prefix fails the payload', async () => {
    const { root, archive } = await packageDir(APP);
    const manifest = parseManifest(
      { checks: [{ type: 'file-exists', path: 'lo/bin/app' }], steps: [{ type: 'extract', to: 'lo' }] },
      'manifest',
    );
    const payload = await payloadOf(manifest);
    assert.deepEqual(payload.extractPrefixes, ['/opt/lo', dir]);
    assert.equal((await runAgent(payload, archive, 'install', root)).outcome.ok, true);
    assert.equal((await stat(join(root, 'lo/bin/app'))).mode & 0o777, 0o755);
    const again = await runAgent(payload, archive, 'install', root);
    assert.equal((again.outcome.result as { outcome: string }).outcome, 'unneeded');

    const elsewhere = parseManifest({ steps: [{ type: 'extract', to: '/srv/lo' }] }, 'manifest');
    await assert.rejects(payloadOf(elsewhere), /manifest\.steps\[0\]\.to: "\/srv\/lo" is outside/);
  });

  test('a failing step ends ko with its number, and the steps after it do not run', async () => {
    const { root, archive } = await packageDir(APP);
    const manifest = parseManifest(
      {
        steps: [
          { type: 'extract', to: `${root}/app` },
          { type: 'command', command: 'fail' },
          { type: 'command', command: 'mark', args: { path: `${root}/marker` } },
        ],
      },
      'manifest',
    );
    const { outcome, logs } = await runAgent(await payloadOf(manifest), archive);
    assert.deepEqual(outcome, {
      ok: false,
      reason: 'module_failed',
      result: {
        package: 'libreoffice',
        version: '24.8',
        action: 'install',
        outcome: 'ko',
        step: 2,
        error: '"fail" exited with code 3',
      },
    });
    assert.ok(logs.some((l) => l.stream === 'stderr' && l.line === 'nope'));
    await assert.rejects(stat(join(root, 'marker')));
  });

  test('a malicious archive is refused: ko, nothing extracted, no later step run', async () => {
    const { root, archive } = await packageDir([...APP, { name: '../evil', content: 'x' }]);
    const { outcome } = await runAgent(await payloadOf(manifestFor(root)), archive);
    assert.equal(outcome.ok, false);
    const result = outcome.result as { outcome: string; step: number; error: string };
    assert.deepEqual([result.outcome, result.step], ['ko', 1]);
    assert.match(result.error, /^archive refused: "\.\.\/evil": "\.\." in/);
    await assert.rejects(stat(join(root, 'app')));
    await assert.rejects(stat(join(root, 'marker')));
    await assert.rejects(stat(join(dir, 'evil')));
  });

  test('a payload that is not a package is refused before anything runs', async () => {
    for (const payload of [null, { package: { name: 'x' }, action: 'install', checks: [], steps: [] }]) {
      const { outcome, logs } = await runAgent(payload, '/nonexistent');
      assert.equal(outcome.reason, 'module_failed');
      assert.match(logs[0]?.line ?? '', /the server sent no runnable package \(payload/);
    }
  });

  test('summary: "N deployments (ok, ko, unneeded)" and a line per package', () => {
    const js = (job: string, status: SummaryInput['status'], result: unknown = null, agentId = 'a'): SummaryInput => ({
      job,
      agentId,
      status,
      reason: null,
      result,
    });
    const lo = (outcome: string) => ({ package: 'LibreOffice', outcome });
    const summary = deployModule.summarize!([
      js('lo', 'finished', lo('ok'), 'a1'),
      js('lo', 'finished', lo('ok'), 'a2'),
      js('lo', 'finished', lo('unneeded'), 'a3'),
      js('lo', 'error', lo('ko'), 'a4'),
      js('tb', 'error', null, 'a1'),
      js('tb', 'finished', { package: 'Thunderbird', outcome: 'ok' }, 'a2'),
      js('tb', 'waiting', null, 'a3'),
    ]);
    assert.deepEqual(summary, {
      details: '7 deployments (ok: 3, ko: 2, unneeded: 1)',
      lines: [
        'Total targeted devices : 4',
        'LibreOffice - ok : 2, ko : 1, unneeded : 1',
        'Thunderbird - ok : 1, ko : 1, unneeded : 0',
      ],
    });
  });
});
