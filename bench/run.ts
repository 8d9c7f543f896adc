// `npm run bench -- <name> [args…]`: runs the default export of bench/<name>.ts.
// Each bench is its own file so that new ones (engine, fleet, peers) need no change here.
import { readdirSync } from 'node:fs';

/** Files in bench/ that are not benches themselves. */
const HELPERS = ['run', 'support'];

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .filter((f) => !HELPERS.includes(f));
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [args…]\n`);
  process.exit(2);
}
const bench = (await import(`./${name}.ts`)) as { default: (args: string[]) => unknown };
await bench.default(args);
