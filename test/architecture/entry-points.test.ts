// What the entry points load (issue 18): the CLI loads, before a command's action runs,
// commander and Node's own modules only (each action imports what it needs), so that
// `taskwarden --help` and the client commands answer at once; the agent loads nothing of
// the server side, nor TypeBox, even through `import()`, so that an idle agent stays small
// and a standalone agent executable can be built from its entry point.
import assert from 'node:assert/strict';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { type LoadedGraph, loadedGraph } from './import-graph.ts';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');
const inSrc = (graph: LoadedGraph) => [...graph.files].map((f) => relative(src, f).split(sep).join('/'));
const packagesOf = (graph: LoadedGraph) =>
  [...graph.packages]
    .filter(([name]) => !name.startsWith('node:'))
    .map(([name, by]) => `${name} (${relative(root, by)})`);

test('the CLI loads commander and Node only until a command runs', () => {
  const graph = loadedGraph([join(src, 'cli', 'main.ts')]);
  assert.deepEqual(
    packagesOf(graph).filter((p) => !p.startsWith('commander ')),
    [],
    'import these in the actions that need them (await import)',
  );
  // Two server files are plain data the CLI shows before any action: the server's settings
  // table (the flags of `taskwarden server`) and the name of the file it writes in its data
  // folder (where client commands find it); each imports nothing but Node and types.
  const cliReadsOf = new Set(['server/settings.ts', 'server/data-folder.ts']);
  const serverSide = inSrc(graph).filter((f) => /^(server|store|engine|modules)\//.test(f) && !cliReadsOf.has(f));
  const agentRuntime = inSrc(graph).filter((f) => f.startsWith('agent/') && f !== 'agent/defaults.ts');
  assert.deepEqual([...serverSide, ...agentRuntime], []);
});

/** What the agent may load: the validator of module payloads and protocol replies, and Node. */
const AGENT_PACKAGES = ['ajv'];

test('the agent loads nothing of the server side, nor TypeBox, even lazily', () => {
  const graph = loadedGraph([join(src, 'agent', 'main.ts')], { lazy: true });
  const files = inSrc(graph);
  assert.ok(files.includes('agent/runtime.ts'), 'the graph follows the lazy import of the runtime');
  assert.deepEqual(
    files.filter((f) => /^(server|store|engine|cli)\//.test(f)),
    [],
  );
  assert.deepEqual(
    packagesOf(graph).filter((p) => !AGENT_PACKAGES.includes(p.split(' ')[0] as string)),
    [],
    'an idle agent pays for each package it loads (TypeBox alone: 680 modules, ~10 MB)',
  );
});

test('the checks see what a server-side entry loads (guards against a check that cannot fail)', () => {
  const graph = loadedGraph([join(src, 'server', 'start.ts')]);
  assert.ok(graph.packages.has('fastify') && graph.packages.has('typebox'));
  assert.ok(inSrc(graph).some((f) => f.startsWith('store/')));
  const lazy = loadedGraph([join(src, 'cli', 'main.ts')], { lazy: true });
  assert.ok(lazy.packages.has('typebox') && inSrc(lazy).includes('server/start.ts'));
});
