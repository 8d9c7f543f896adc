import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { TaskwardenError, ValidationError } from '../core/errors.ts';

/** Overrides `/` for every file `install`/`uninstall` write or remove (tests, image builds). */
export const INSTALL_ROOT_ENV = 'TASKWARDEN_INSTALL_ROOT';
export const SYSTEMD_UNIT_DIR = '/etc/systemd/system';
export const CONFIG_DIR = '/etc/taskwarden';

export interface InstallFlags {
  root?: string;
  /** commander's `--no-start`: false when given. */
  start?: boolean;
}

/**
 * Where the service's files go: `/` for a real install, or a staging folder (`--root DIR`,
 * TASKWARDEN_INSTALL_ROOT) under which the same absolute paths are written. Only a real
 * install runs systemctl; a staged one never does.
 */
export class InstallTarget {
  readonly root: string;

  constructor(flags: InstallFlags, env: NodeJS.ProcessEnv = process.env) {
    const given = flags.root ?? env[INSTALL_ROOT_ENV];
    if (given !== undefined && given.trim() === '') throw new ValidationError('--root', 'must not be empty');
    this.root = resolve(given ?? '/');
  }

  get staged(): boolean {
    return this.root !== '/';
  }

  /** The real path of an absolute path of the installed system. */
  path(systemPath: string): string {
    return join(this.root, systemPath);
  }

  async write(systemPath: string, content: string, mode: number): Promise<void> {
    const path = this.path(systemPath);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    try {
      await writeFile(path, content, { mode });
    } catch (err) {
      throw new TaskwardenError(
        'invalid_input',
        `cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? err}); run as root?`,
      );
    }
  }

  async read(systemPath: string): Promise<string | null> {
    try {
      return await readFile(this.path(systemPath), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** Removes a file or folder; says whether there was one. */
  async remove(systemPath: string): Promise<boolean> {
    const path = this.path(systemPath);
    const existed = await lstat(path).then(
      () => true,
      () => false,
    );
    await rm(path, { recursive: true, force: true });
    return existed;
  }

  /** `systemctl ARGS` on a real install; nothing on a staged one. Returns the command line it ran, or null. */
  systemctl(args: string[]): string | null {
    if (this.staged) return null;
    const result = spawnSync('systemctl', args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.error || result.status !== 0) {
      const why = result.error ? result.error.message : `exit ${result.status}`;
      throw new TaskwardenError('internal', `systemctl ${args.join(' ')} failed (${why})`);
    }
    return `systemctl ${args.join(' ')}`;
  }
}

/**
 * The command line that runs this same `taskwarden` again: the Node binary and the real path
 * of the script it runs (bin/taskwarden.js of this checkout, also when started through
 * npx's node_modules/.bin link), or the single executable alone.
 */
export function taskwardenCommand(): string[] {
  if (isSingleExecutable() || process.argv[1] === undefined) return [process.execPath];
  return [process.execPath, realpathSync(process.argv[1])];
}

/** Is this process a single executable application (the single-file agent)? */
export function isSingleExecutable(): boolean {
  try {
    return (createRequire(import.meta.url)('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

/** A word of a systemd ExecStart line, quoted when it needs to be. */
export function unitWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/(["\\])/g, '\\$1')}"`;
}

export interface UnitSpec {
  description: string;
  execStart: string[];
  /** Extra [Service] lines. */
  service: string[];
}

export function systemdUnit(spec: UnitSpec): string {
  return [
    '# Written by `taskwarden … install`; `taskwarden … uninstall` removes it.',
    '[Unit]',
    `Description=${spec.description}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.execStart.map(unitWord).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5',
    // Standard output and error go to the journal (journalctl -u NAME).
    'StandardOutput=journal',
    'StandardError=journal',
    ...spec.service,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
