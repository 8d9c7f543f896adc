#!/usr/bin/env node
// Compiles src/ to dist/ so that `taskwarden` starts without a TypeScript compiler in memory:
// tsc checks the types and writes the declarations (`taskwarden/sdk`'s types), esbuild
// bundles the JavaScript (with source maps). Bundled, the server starts from ~100 files
// instead of ~1,500 modules, whose resolving and loading were most of its start (issue 18).
// Run by `npm ci` (prepare: only when dist/ is missing or older than src/) and by
// `npm run build` (always). The build writes a fresh folder that replaces dist/ only once
// it all succeeded: a failed build leaves no half-built dist/, and bin/taskwarden.js then
// runs the sources through tsx. `--out-dir DIR` builds elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_STAMP, buildState, replaceBuild } from './build-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outFlag = process.argv.indexOf('--out-dir');
const dist = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? '') : join(root, 'dist');
if (process.argv.includes('--if-stale') && buildState(root) === 'fresh') process.exit(0);

/** What runs from dist/: the `taskwarden` command (bin/) and the package's export. */
/** The FusionInventory XML reader's worker is started by file name: an entry point of its own. */
const ENTRY_POINTS = ['src/cli/main.ts', 'src/modules/sdk.ts', 'src/server/fusioninventory/xml-worker.ts'];
/**
 * Left to node_modules: native addons, an optional driver, and swagger-ui, which serves the
 * files beside its code (__dirname). The other packages' own paths are unused here: pino's
 * transports (worker files) are not configured, and @fastify/swagger reads its own
 * package.json only for an API title and version, which app.ts gives. @fastify/cookie loads
 * `cookie` (CommonJS) by import(), which esbuild's chunks hand over without its named exports.
 */
const NOT_BUNDLED = ['better-sqlite3', '@node-rs/argon2', 'pg-native', '@fastify/swagger-ui', '@fastify/cookie'];

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const esbuild = await import('esbuild').catch(() => null);
if (!existsSync(tsc) || !esbuild) {
  console.warn(
    'taskwarden: typescript or esbuild is not installed (dev dependencies), src/ is not compiled: it runs through tsx',
  );
  process.exit(0);
}
// The stamp gets the time the build started: a source saved while the build runs makes it stale.
const startedAt = new Date();
const staging = `${dist}.building-${process.pid}`;
const fail = (why) => {
  rmSync(staging, { recursive: true, force: true });
  console.error(`taskwarden: compiling src/ failed (${why}); dist/ is unchanged`);
  process.exit(1);
};
const res = spawnSync(
  process.execPath,
  [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging, '--emitDeclarationOnly'],
  { cwd: root, stdio: 'inherit' },
);
if (res.status !== 0) fail(`tsc exit ${res.status ?? res.signal}`);
await esbuild
  .build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outbase: 'src',
    outdir: staging,
    // Chunks sit two folders below the root, as every source file does: their
    // `import.meta.dirname + '../..'` (web/dist, package.json) still finds the root.
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    // Error and class names stay as written (messages and logs show them).
    keepNames: true,
    external: NOT_BUNDLED,
    // The CommonJS packages bundled into these ES modules call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __taskwardenRequire } from 'node:module'; const require = __taskwardenRequire(import.meta.url);",
    },
    logLevel: 'warning',
  })
  .catch((err) => fail(`esbuild: ${err.message}`));
const stamp = join(staging, BUILD_STAMP);
writeFileSync(stamp, `${startedAt.toISOString()}\n`);
utimesSync(stamp, startedAt, startedAt);
replaceBuild(staging, dist);
