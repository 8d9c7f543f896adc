// `npm run bench -- <name> [args…]`: runs the default export of bench/<name>.ts; `--help`
// lists the benches with the first line of each one's header comment (its usage).
// Each bench is its own file so that new ones need no change here. A bench that fails, or
// gets stuck (bench/support/limits.ts), exits 1 with its error; one that ends exits 0 even
// if something it started still holds the event loop.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));

if (!name || name === '--help' || !available.includes(name)) {
  const usage = available.map((bench) => {
    const first = readFileSync(join(import.meta.dirname, `${bench}.ts`), 'utf8').split('\n')[0] ?? '';
    return `  ${first.replace(/^\/\/\s*/, '')}`;
  });
  const out = `usage: npm run bench -- <${available.join('|')}> [args…]\n${usage.join('\n')}\n`;
  if (name === '--help') process.stdout.write(out);
  else process.stderr.write(out);
  process.exit(name === '--help' ? 0 : 2);
}
try {
  const bench = (await import(`./${name}.ts`)) as { default: (args: string[]) => unknown };
  await bench.default(args);
  process.exit(0);
} catch (err) {
  process.stderr.write(`bench ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
  if (args.includes('--json'))
    process.stdout.write(`${JSON.stringify({ bench: name, ok: false, error: String(err) })}\n`);
  process.exit(1);
}
