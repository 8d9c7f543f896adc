#!/usr/bin/env node
// `npm test`: type check, lint, then every test file under test/ with node:test + tsx.
// Node 20's runner takes no globs, so the files are listed here. Extra arguments are
// passed through as file filters: `npm test -- schedule` runs the files whose path has "schedule".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
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
  run('npx', ['biome', 'check', '.']);
}
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=3', '--test-reporter=spec', ...files]);
