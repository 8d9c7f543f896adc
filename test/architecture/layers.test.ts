// Fails when an import crosses the layers of DESIGN.md the wrong way: core importing I/O,
// the engine importing a store, anything but the composition root importing server/.
import assert from 'node:assert/strict';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { importsOf, sourceFiles } from './source-files.ts';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

/** Which src/ layers each layer may import (its own is always allowed). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  store: ['core'],
  modules: ['core', 'protocol'],
  engine: ['core'],
  protocol: ['core'],
  server: ['core', 'store', 'modules', 'engine', 'protocol'],
  client: ['core', 'protocol'],
  agent: ['core', 'client', 'modules', 'protocol'],
  cli: ['core', 'client', 'server', 'agent', 'protocol'],
};

/** Packages that do I/O or belong to one backend, and the layers that may use them. */
const PACKAGE_LAYERS: Record<string, string[]> = {
  'better-sqlite3': ['store'],
  pg: ['store'],
  kysely: ['store'],
  fastify: ['server'],
  'node:fs': ['store', 'modules', 'server', 'agent', 'cli'],
  'node:fs/promises': ['store', 'modules', 'server', 'agent', 'cli'],
  'node:child_process': ['modules', 'server', 'agent', 'cli'],
  'node:net': ['modules', 'server', 'agent', 'cli'],
  'node:dgram': ['modules', 'server', 'agent'],
  'node:http': ['server', 'agent', 'client', 'cli'],
  'node:https': ['server', 'agent', 'client', 'cli'],
  'node:dns': ['modules', 'server', 'agent', 'cli'],
  'node:dns/promises': ['modules', 'server', 'agent', 'cli'],
  nodemailer: ['server'],
};

const layerOf = (file: string) => relative(src, file).split(sep)[0] as string;

test('imports follow the layer rules of DESIGN.md', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(src)) {
    const layer = layerOf(file);
    const allowed = ALLOWED[layer];
    if (!allowed) {
      violations.push(`${relative(root, file)}: unknown layer "${layer}"`);
      continue;
    }
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(src + sep)) {
          violations.push(`${relative(root, file)} imports ${spec}, outside src/`);
          continue;
        }
        const targetLayer = layerOf(target);
        if (targetLayer !== layer && !allowed.includes(targetLayer)) {
          violations.push(`${relative(root, file)} (${layer}) imports ${spec} (${targetLayer})`);
        }
        // One store dialect never reaches into another.
        const dialect = (p: string) => relative(join(src, 'store'), p).split(sep)[0];
        if (layer === 'store' && targetLayer === 'store') {
          const from = dialect(file);
          const to = dialect(target);
          if ((from === 'sqlite' || from === 'postgres') && (to === 'sqlite' || to === 'postgres') && from !== to) {
            violations.push(`${relative(root, file)} (store/${from}) imports ${spec} (store/${to})`);
          }
        }
      } else {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
        const pkg = spec.startsWith('node:') ? spec : name;
        const layers = PACKAGE_LAYERS[pkg] ?? PACKAGE_LAYERS[name];
        if (layers && !layers.includes(layer)) {
          violations.push(`${relative(root, file)} (${layer}) imports ${spec}, allowed only in ${layers.join(', ')}`);
        }
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('the layer check sees imports (guards against a check that cannot fail)', () => {
  const files = sourceFiles(src);
  assert.ok(files.length > 0);
  assert.ok(files.some((f) => importsOf(f).length > 0));
});
