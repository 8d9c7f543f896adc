#!/usr/bin/env node
// `npm test`: type check, lint, then every test file under test/ with node:test + tsx.
// Node 20's runner takes no globs, so the files are listed here. Extra arguments are
// passed through as file filters: `npm test -- schedule` runs the files whose path has "schedule".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** The browser the web UI tests drive (test/web/browser.ts launches it). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_INSTALL = 'apt-get install -y chromium';
const filters = process.argv.slice(2);

function run(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
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
if (files.some((f) => f.startsWith(`test${sep}web${sep}`))) ensureChromium();
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-reporter=spec', ...files]);

/** The browser tests need Debian's chromium: installed here when we are root, else the exact command to run. */
function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    console.error(`npm test: the web UI tests need ${CHROMIUM}; install it as root with:\n  ${CHROMIUM_INSTALL}`);
    process.exit(1);
  }
  console.error(`npm test: ${CHROMIUM} is missing, installing it (${CHROMIUM_INSTALL})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  const res = spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'inherit', env });
  if (res.status !== 0 || !existsSync(CHROMIUM)) {
    console.error(`npm test: installing chromium failed; run: ${CHROMIUM_INSTALL}`);
    process.exit(1);
  }
}
