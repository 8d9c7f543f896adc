// The web UI talks to the server through the REST API only (DESIGN.md): of the server's
// code it may take the protocol's types, erased at build time, and nothing else.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const web = join(root, 'web', 'src');
const protocol = join(root, 'src', 'protocol');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

test('web/src imports nothing from the server but protocol types', () => {
  const violations: string[] = [];
  let protocolImports = 0;
  for (const file of sources(web)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /^(import|export)(\s+type)?\b[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
    )) {
      const spec = (m[3] ?? m[4]) as string;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (target.startsWith(web + sep)) continue;
      const typeOnly = m[2] !== undefined || m[4] !== undefined;
      if (!target.startsWith(protocol + sep) || !typeOnly) violations.push(`${relative(root, file)} imports ${spec}`);
      else protocolImports++;
    }
  }
  assert.deepEqual(violations, []);
  assert.ok(protocolImports > 5, 'the API types come from the protocol');
});
