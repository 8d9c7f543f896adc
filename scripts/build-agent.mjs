#!/usr/bin/env node
// Builds the single-file agent, dist/taskwarden-agent (`npm run build:agent`): the agent's
// entry point (src/cli/agent-executable.ts) and all it loads, bundled by esbuild into one
// CommonJS script, injected into a copy of the Node binary running this script (Node's
// single executable applications, "SEA"). A PC then needs neither Node nor npm. The file
// runs on the OS and CPU it was built on (Linux x64 here); build it there for another.
// `--out FILE` writes elsewhere. Needs the dev dependencies esbuild and postject.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? '') : join(root, 'dist', 'taskwarden-agent');
const require = createRequire(import.meta.url);
/** Where the SEA loader finds the injected script: Node's own marker, fixed by Node. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function fail(message) {
  console.error(`taskwarden: ${message}`);
  process.exit(1);
}

let esbuild;
let postject;
try {
  esbuild = require('esbuild');
  postject = require('postject');
} catch {
  fail('building the agent executable needs the dev dependencies esbuild and postject (npm ci)');
}

/**
 * The sources load two things with `createRequire(import.meta.url)(id)`, only when needed:
 * the YAML parser (config.ts: an agent without a config file never loads it) and `node:sea`
 * (install.ts). Neither works in a bundle, which has no import.meta and whose `require`
 * loads Node's own modules only: this gives them a `createRequire` whose `require('yaml')` is
 * the bundled copy (still evaluated only when called) and that loads Node's modules, and
 * refuses any other package rather than look for it on disk.
 */
const bundledRequire = {
  name: 'bundled-require',
  setup(build) {
    build.onResolve({ filter: /^node:module$/ }, (args) =>
      args.importer.startsWith(join(root, 'src')) ? { path: 'bundled-require', namespace: 'taskwarden' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'taskwarden' }, () => ({
      resolveDir: root,
      contents: `export function createRequire() {
        return (id) => {
          if (id === 'yaml') return require('yaml');
          if (id.startsWith('node:')) return require(id);
          throw new Error(id + ' is not in the single-file agent');
        };
      }`,
    }));
  },
};

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'taskwarden-agent-build-'));
try {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const script = join(work, 'taskwarden-agent.cjs');
  const result = await esbuild.build({
    entryPoints: [join(root, 'src', 'cli', 'agent-executable.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // The SEA's `require` loads Node's built-in modules only: every package must be inside.
    packages: 'bundle',
    // No import() in the script: with useCodeCache (below) Node's SEA has no dynamic import
    // callback ("A dynamic import callback was not specified"). esbuild inlines the
    // imports of bundled files; this makes it write Node's own modules' as require() too.
    supported: { 'dynamic-import': false },
    define: { TASKWARDEN_VERSION: JSON.stringify(version) },
    plugins: [bundledRequire],
    legalComments: 'none',
    logLevel: 'silent',
  });
  // A warning is a module the bundle does not carry the way the sources run (a dynamic
  // require, an import.meta): an executable that fails on some PC later. Refuse it now;
  // only the import.meta of `createRequire(import.meta.url)` is expected (bundledRequire).
  const warnings = result.warnings.filter((w) => !w.location?.lineText.includes('createRequire(import.meta.url)'));
  if (warnings.length > 0) {
    const text = await esbuild.formatMessages(warnings, { kind: 'warning' });
    throw new Error(`bundling the agent gave warnings:\n${text.join('\n')}`);
  }

  const config = join(work, 'sea-config.json');
  const blob = join(work, 'taskwarden-agent.blob');
  writeFileSync(
    config,
    JSON.stringify({
      main: script,
      output: blob,
      // The agent writes its own log; Node's "experimental feature" line would only alarm.
      disableExperimentalSEAWarning: true,
      // V8's compiled code travels in the blob: the agent parses less at each start.
      // (It breaks import(), which the bundle therefore has none of: see `supported`.)
      useCodeCache: true,
    }),
  );
  const made = spawnSync(process.execPath, ['--experimental-sea-config', config], { encoding: 'utf8' });
  if (made.status !== 0)
    throw new Error(
      `node --experimental-sea-config failed (exit ${made.status ?? made.signal}):\n${made.stdout}${made.stderr}`,
    );

  const staging = join(work, 'taskwarden-agent');
  copyFileSync(process.execPath, staging);
  chmodSync(staging, 0o755);
  await postject.inject(staging, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(staging, `${out}.tmp`);
  // Dated when the build started, as dist/'s stamp: a source saved meanwhile makes it stale.
  utimesSync(`${out}.tmp`, new Date(started), new Date(started));
  renameSync(`${out}.tmp`, out);
  const mb = (statSync(out).size / 1e6).toFixed(1);
  console.log(
    `taskwarden: wrote ${out} (${mb} MB, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} catch (err) {
  console.error(`taskwarden: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
