#!/usr/bin/env node
// `npm test`: type check, lint, then every test file under test/ with node:test + tsx.
// The engine tests run a second time on PostgreSQL (TASKWARDEN_TEST_DB=postgres).
// Node 20's runner takes no globs, so the files are listed here. Extra arguments are
// passed through as file filters: `npm test -- schedule` runs the files whose path has "schedule".
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ensureDebianPackages } from './debian-packages.mjs';

const root = new URL('..', import.meta.url).pathname;
/** The browser the web UI tests drive (test/web/browser.ts launches it). */
const CHROMIUM = '/usr/bin/chromium';
/** The FusionInventory agent (Debian's 2.6) the test/fusioninventory end-to-end tests run, with its tasks. */
const FUSIONINVENTORY_FILES = [
  '/usr/bin/fusioninventory-agent',
  '/usr/share/fusioninventory/lib/FusionInventory/Agent/Task/Deploy.pm',
  '/usr/share/fusioninventory/lib/FusionInventory/Agent/Task/NetDiscovery.pm',
];
const FUSIONINVENTORY_PACKAGES = [
  'fusioninventory-agent',
  'fusioninventory-agent-task-deploy',
  'fusioninventory-agent-task-network',
];
const filters = process.argv.slice(2);

function run(cmd, args, env = process.env) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (res.status !== 0) {
    console.error(`npm test: ${[cmd, ...args].join(' ')} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status || 1);
  }
}

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = testFiles(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`npm test: no test file matches ${filters.join(' ')}`);
  process.exit(2);
}

if (filters.length === 0) {
  run('npx', ['tsc', '--noEmit']);
  run('npx', ['tsc', '-p', 'web']);
  run('npx', ['biome', 'check', '.']);
}
if (files.some((f) => f.startsWith(`test${sep}fusioninventory${sep}`))) {
  ensureDebianPackages({
    who: 'npm test',
    what: 'the FusionInventory tests',
    paths: FUSIONINVENTORY_FILES,
    packages: FUSIONINVENTORY_PACKAGES,
  });
}
if (files.some((f) => f.startsWith(`test${sep}web${sep}`))) {
  ensureDebianPackages({ who: 'npm test', what: 'the web UI tests', paths: [CHROMIUM], packages: ['chromium'] });
  // Once here, not in each browser test file: they run side by side.
  run(process.execPath, [join(root, 'scripts', 'build-web.mjs'), '--if-stale']);
}
// TASKWARDEN_TX_GUARD=1: every store checks it is not used inside its own transactions
// (src/store/sql/transaction-scope.ts; off in production), here also in the processes the tests start.
const runTests = (list, env = process.env) =>
  run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-reporter=spec', ...list], {
    ...env,
    TASKWARDEN_TX_GUARD: '1',
  });
runTests(files);
// The engine tests again on PostgreSQL: those that take their store from openTestStore
// (directly or through the engine harness) then get a fresh database on a throwaway server.
const onPostgres = files.filter(
  (f) =>
    f.startsWith(`test${sep}engine${sep}`) &&
    /openTestStore|startEngineHarness/.test(readFileSync(join(root, f), 'utf8')),
);
if (onPostgres.length > 0) {
  console.log(`npm test: the engine tests again with TASKWARDEN_TEST_DB=postgres (${onPostgres.length} files)`);
  runTests(onPostgres, { ...process.env, TASKWARDEN_TEST_DB: 'postgres' });
}
