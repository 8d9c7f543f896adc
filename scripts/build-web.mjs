#!/usr/bin/env node
// Builds the web UI (web/ → web/dist) when it is missing or older than its sources.
// Run by `npm ci` (prepare) and `npm start` (prestart), so a fresh clone serves the UI
// with no extra step; `npm run build` always rebuilds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');

function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name === 'node_modules') continue;
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }
  return newest;
}

const fresh = existsSync(built) && statSync(built).mtimeMs >= newestSource(web);
if (process.argv.includes('--if-stale') && fresh) process.exit(0);

if (!existsSync(join(root, 'node_modules', 'vite'))) {
  // An install without dev dependencies cannot build; the server then says how to build at /.
  console.warn('taskwarden: vite is not installed (dev dependency), the web UI is not built');
  process.exit(0);
}
const res = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', web], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
