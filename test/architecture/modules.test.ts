// Modules are packages (issue 16): the SDK (src/modules/sdk/) imports only core; a built-in
// module's folder imports only the SDK and its own files, as a third-party package can; and
// nothing outside a module reaches past its index.ts (its registration), nor past the SDK's
// index.ts. The registration files at the top of src/modules/ (builtin.ts, load.ts,
// registration.ts) are the loader: they may read the SDK's definition check too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { builtinModules } from '../../src/modules/builtin.ts';
import { importsOf, sourceFiles } from './source-files.ts';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');
const modulesDir = join(src, 'modules');

/** The folder under src/modules/ a file sits in ("sdk", "command"…), or "" for the files at its top. */
function folderOf(file: string): string | null {
  if (!file.startsWith(modulesDir + sep)) return null;
  const parts = relative(modulesDir, file).split(sep);
  return parts.length === 1 ? '' : (parts[0] as string);
}

/** Every relative import of src/, as [importing file, imported file], repository-relative. */
function srcImports(): [string, string][] {
  return sourceFiles(src).flatMap((file) =>
    importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec): [string, string] => [file, resolve(dirname(file), spec)]),
  );
}

/** What is wrong with one import under the module rules, or null. */
function breach(file: string, target: string): string | null {
  const from = folderOf(file);
  const to = folderOf(target);
  const inCore = target.startsWith(join(src, 'core') + sep);
  if (from === 'sdk') return inCore || to === 'sdk' ? null : 'the SDK imports only core';
  if (from && from !== 'fusioninventory') {
    if (to === from || target === join(modulesDir, 'sdk', 'index.ts')) return null;
    return "a module imports only the SDK (sdk/index.ts) and its own folder's files";
  }
  // src/modules/fusioninventory is the FusionInventory protocol's code (XML, ids), not a module.
  if (to === null || to === '' || to === from || to === 'fusioninventory') return null;
  const index = join(modulesDir, to, 'index.ts');
  if (target === index) return null;
  if (from === '' && to === 'sdk') return null;
  return `outside a module, only its index.ts (its registration) is imported`;
}

test('the SDK imports only core; a module only the SDK and its own folder; others only a module’s index', () => {
  const breaches: string[] = [];
  for (const [file, target] of srcImports()) {
    const why = breach(file, target);
    if (why) breaches.push(`${relative(root, file)} → ${relative(root, target)}: ${why}`);
  }
  assert.deepEqual(breaches, []);
});

test('the module rules see breaches (guards against a check that cannot fail)', () => {
  const at = (path: string) => join(src, path);
  assert.ok(breach(at('modules/sdk/index.ts'), at('modules/command/index.ts')));
  assert.ok(breach(at('modules/sdk/index.ts'), at('server/app.ts')));
  assert.equal(breach(at('modules/sdk/run-command.ts'), at('core/clock.ts')), null);
  assert.ok(breach(at('modules/wakeonlan/server.ts'), at('modules/inventory/index.ts')));
  assert.ok(breach(at('modules/wakeonlan/server.ts'), at('modules/sdk/macs.ts')));
  assert.ok(breach(at('modules/deploy/agent.ts'), at('core/json-schema.ts')));
  assert.equal(breach(at('modules/deploy/agent.ts'), at('modules/deploy/paths.ts')), null);
  assert.equal(breach(at('modules/deploy/agent.ts'), at('modules/sdk/index.ts')), null);
  assert.ok(breach(at('server/start.ts'), at('modules/command/server.ts')));
  assert.ok(breach(at('agent/modules.ts'), at('modules/sdk/define.ts')));
  assert.equal(breach(at('server/routes/packages.ts'), at('modules/deploy/index.ts')), null);
  assert.equal(breach(at('modules/registration.ts'), at('modules/sdk/define.ts')), null);
  // What the FusionInventory Deploy translation once read, before its hook.
  assert.ok(breach(at('modules/fusioninventory/deploy.ts'), at('modules/deploy/schema.ts')));
  assert.ok(breach(at('server/fusioninventory/archive-parts.ts'), at('modules/deploy/tar-read.ts')));
  assert.ok(srcImports().length > 100);
});

/** The FusionInventory code: the protocol's (modules/fusioninventory), the server's and its routes. */
const FUSIONINVENTORY_DIRS = ['modules/fusioninventory', 'server/fusioninventory', 'server/routes/fusioninventory'];

/** The module names a source text spells as a string (comments left out). */
function namesIn(text: string, names: readonly string[]): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return names.filter((name) => new RegExp(`['"\`]${name}['"\`]`).test(code));
}

test('the FusionInventory code finds modules by their hooks, never by name', () => {
  const names = builtinModules({ testModules: true }).map((module) => module.name);
  const dirs = FUSIONINVENTORY_DIRS.map((dir) => join(src, dir) + sep);
  const named = sourceFiles(src)
    .filter((file) => dirs.some((dir) => file.startsWith(dir)))
    .flatMap((file) => namesIn(readFileSync(file, 'utf8'), names).map((name) => `${relative(root, file)}: ${name}`));
  assert.deepEqual(named, []);
  // The check sees a name (the Deploy task's jobs were once picked so), not one in a comment.
  assert.deepEqual(namesIn("runningJobs(deps.store, agent.id, 'deploy');", names), ['deploy']);
  assert.deepEqual(namesIn("/** the `deploy` module's */\n// 'deploy'\nconst x = 1;", names), []);
});
