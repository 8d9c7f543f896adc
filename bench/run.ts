// `npm run bench -- <name> [args…]`: runs the default export of bench/<name>.ts; `--help`
// lists the benches with the first sentence of each one's header comment (its usage).
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
  const usage = available.map((bench) => `  ${bench}: ${firstSentence(join(import.meta.dirname, `${bench}.ts`))}`);
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

/** The header comment's opening paragraph (before its indented list), up to its first full stop. */
function firstSentence(file: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const paragraph: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('// ') || line.startsWith('//  ')) break;
    paragraph.push(line.slice(3));
  }
  const text = paragraph.join(' ');
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}
