// `npm run bench -- store-reads [--agents N] [--keys K] [--json]`: the SQLite store reading
// rows by key, as the agent protocol does for every turn's requests (their agents by
// credential, their jobstates by id), in µs a row, beside better-sqlite3 alone reading the
// same rows as objects (its default) and as arrays of values (its raw mode) in the same run.
//   setup: N agents (10,000) and one run over them (N jobstates), the fleet bench's big run
//   measured: `jobstates.getMany` and `agents.getManyBySecretHash` of K keys a call (50)
// Each is read whole three times after a warm-up round; the bench ends by itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fmt } from '../src/cli/table.ts';
import { openStore } from '../src/store/open.ts';
import { numberOption, report } from './support/args.ts';
import { bigRun } from './support/fleet-big-run.ts';
import { watchdog } from './support/limits.ts';

const ROUNDS = 3;
const LIMIT_MS = 600_000;

/** µs a row of `read` over all `keys`, `size` at a time: the best of ROUNDS, after a warm-up. */
async function perRow(keys: readonly string[], size: number, read: (part: string[]) => unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round <= ROUNDS; round++) {
    const started = performance.now();
    for (let from = 0; from + size <= keys.length; from += size) await read(keys.slice(from, from + size));
    const micros = ((performance.now() - started) * 1000) / (keys.length - (keys.length % size));
    if (round > 0) best = Math.min(best, micros);
  }
  return best;
}

export default async function storeReadsBench(args: string[]): Promise<void> {
  const agents = numberOption(args, '--agents', 10_000);
  const size = numberOption(args, '--keys', 50);
  if (agents < size || size < 1)
    throw new Error('store-reads: --agents must be at least --keys, and --keys at least 1');
  watchdog('store-reads', LIMIT_MS);
  const dir = await mkdtemp(join(tmpdir(), 'tw-store-reads-'));
  try {
    const file = join(dir, 'bench.db');
    await bigRun(`sqlite:${file}`, agents, LIMIT_MS);
    const direct = new Database(file, { readonly: true });
    const ids = direct.prepare('select id from jobstates').pluck().all() as string[];
    const hashes = direct.prepare('select secret_hash from agents').pluck().all() as string[];
    const inList = Array<string>(size).fill('?').join(', ');
    const jobstatesSql = direct.prepare(`select * from jobstates where id in (${inList})`);
    const agentsSql = direct.prepare(`select * from agents where secret_hash in (${inList})`);
    const store = await openStore(`sqlite:${file}`);
    const rows = {
      jobstates: {
        store: await perRow(ids, size, (part) => store.jobstates.getMany(part)),
        objects: await perRow(ids, size, (part) => jobstatesSql.raw(false).all(part)),
        values: await perRow(ids, size, (part) => jobstatesSql.raw(true).all(part)),
      },
      agents: {
        store: await perRow(hashes, size, (part) => store.agents.getManyBySecretHash(part)),
        objects: await perRow(hashes, size, (part) => agentsSql.raw(false).all(part)),
        values: await perRow(hashes, size, (part) => agentsSql.raw(true).all(part)),
      },
    };
    await store.close();
    direct.close();
    report(args, {
      bench: 'store-reads',
      tables: [
        {
          title: `SQLite reads by key, ${size} keys a call, over ${agents} agents and jobstates: µs a row`,
          rows: Object.entries(rows).map(([table, us]) => ({
            rows: table,
            'through the store (row objects, mapped)': fmt(us.store, 2),
            'better-sqlite3: objects': fmt(us.objects, 2),
            'better-sqlite3: values': fmt(us.values, 2),
            'store ÷ better-sqlite3 objects': fmt(us.store / us.objects, 2),
          })),
        },
      ],
      figures: { agents, keys: size, microsPerRow: rows },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
