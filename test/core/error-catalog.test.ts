// Every error code the code base throws is in the one catalog (core/errors.ts), and every
// catalog code is thrown somewhere: no situation without its code, no code without a situation.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CATALOG } from '../../src/core/errors.ts';

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

test('the codes thrown in src/ and the catalog are the same set', async () => {
  const thrown = new Map<string, string>();
  // A code is a string literal right after `TaskwardenError(` (possibly on the next line),
  // or in a `code: '…'` of a table mapping to catalog codes (server/errors.ts).
  const patterns = [/TaskwardenError\(\s*'([a-z_]+)'/g, /\{ code: '([a-z_]+)'/g, /err(?:or)?\.code === '([a-z_]+)'/g];
  for (const file of await sources('src')) {
    if (file.endsWith(join('core', 'errors.ts'))) continue;
    const text = await readFile(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) thrown.set(m[1] as string, file);
  }
  for (const [code, file] of thrown) assert.ok(code in ERROR_CATALOG, `${file} uses "${code}", not in the catalog`);
  // Codes given by the store's unique clash (store/sql) and by the validation helpers count as thrown.
  const storeClashes = (await Promise.all((await sources('src/store')).map((f) => readFile(f, 'utf8'))))
    .join('\n')
    .matchAll(/'([a-z]+(?:_[a-z]+)+)',?\s*\)/g);
  const used = new Set([...thrown.keys(), ...[...storeClashes].map((m) => m[1] as string), 'invalid_input']);
  const unused = Object.keys(ERROR_CATALOG).filter((code) => !used.has(code));
  assert.deepEqual(unused, [], 'catalog codes nothing throws');
});
