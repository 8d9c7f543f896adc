// Some tests and benches drive Debian programs for real (chromium, the FusionInventory
// agent, redis-server): missing ones are installed here when we are root; otherwise the
// caller stops with the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Makes sure every one of `paths` exists, installing `packages` with apt-get when one is
 * missing. `who` names the caller in messages (`npm test`), `what` what needs them.
 * Exits the process (1) when they are missing and cannot be installed.
 * @param {{ who: string, what: string, paths: string[], packages: string[] }} need
 */
export function ensureDebianPackages({ who, what, paths, packages }) {
  if (paths.every((path) => existsSync(path))) return;
  const install = `apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`${who}: ${what} need ${packages.join(', ')}; install them as root with:\n  ${install}`);
    process.exit(1);
  }
  console.error(`${who}: ${what} need ${packages.join(', ')}, installing (${install})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
  const res = spawnSync('apt-get', ['install', '-y', '-q', ...packages], { stdio: 'inherit', env });
  if (res.status !== 0 || !paths.every((path) => existsSync(path))) {
    console.error(`${who}: installing ${packages.join(', ')} failed; run: ${install}`);
    process.exit(1);
  }
}
