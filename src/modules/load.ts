/**
 * Loads the third-party module packages a server or an agent is told about
 * (TASKWARDEN_MODULES, the config file's `modules`): package names, found in a node_modules
 * folder above the working directory or beside Taskwarden's own install, or paths to a
 * package folder or to a module file. Each is imported and checked (registration.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModuleDefinition } from '../core/ports/module.ts';
import { builtinPackages } from './builtin.ts';
import {
  definitionsOf,
  type ModuleOrigin,
  type ModulePackage,
  type ModulePackageEntry,
  refused,
  uniqueModules,
} from './registration.ts';

/** The list as configured: entries in order, the setting they came from, the folder relative paths start at. */
export interface ModuleList {
  entries: string[];
  source: string;
  cwd: string;
}

/**
 * The modules a server or agent runs: the built-in ones (with the test ones when asked for),
 * then the list's, in order; a name taken twice or a broken package throws, naming it.
 */
export async function loadModules(opts: { list?: ModuleList; testModules?: boolean }): Promise<ModuleDefinition[]> {
  const extra = opts.list ? await loadModulePackages(opts.list) : [];
  return uniqueModules([...builtinPackages({ testModules: opts.testModules === true }), ...extra]);
}

/** Splits a setting's value ("a,b, c") into entries. */
export function parseModuleList(value: string, source: string, cwd: string): ModuleList {
  return {
    entries: value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    source,
    cwd,
  };
}

/** Imports and checks every package of the list, in order; the first broken one throws a ValidationError naming it. */
async function loadModulePackages(list: ModuleList): Promise<ModulePackageEntry[]> {
  if (list.entries.length === 0) return [];
  if (typeof requireHere.resolve !== 'function') {
    throw refused(
      { source: list.source, entry: list.entries[0] as string },
      'the single-file agent cannot load module packages: run the agent from an npm install of taskwarden',
    );
  }
  resolveSdkForModules();
  const packages: ModulePackageEntry[] = [];
  for (const entry of list.entries) {
    const origin = { source: list.source, entry };
    const file = moduleFile(entry, list.cwd, origin);
    let pkg: ModulePackage;
    try {
      pkg = (await import(pathToFileURL(file).href)) as ModulePackage;
    } catch (err) {
      throw refused(origin, `cannot be loaded (${firstLine(err)})`);
    }
    packages.push({ origin, modules: definitionsOf(pkg, origin) });
  }
  return packages;
}

/** The file to import for an entry: a module file, or a package's entry point. */
function moduleFile(entry: string, cwd: string, origin: ModuleOrigin): string {
  const isPath = isAbsolute(entry) || entry.startsWith('.');
  const path = isPath ? resolve(cwd, entry) : packageFolder(entry, cwd);
  if (!path || !existsSync(path)) {
    throw refused(
      origin,
      isPath ? 'no such file or folder' : `package not found (no node_modules/${entry} above ${cwd})`,
    );
  }
  return statSync(path).isDirectory() ? packageEntry(path, origin) : path;
}

/** node_modules/<name> in the working directory or a folder above it, else beside Taskwarden's install. */
function packageFolder(name: string, cwd: string): string | null {
  // Taskwarden's own package.json: two folders up from src/modules and from dist/chunks alike.
  const installRoot = dirname(requireHere.resolve('../../package.json'));
  for (const start of [cwd, installRoot]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}

/** A package folder's entry point: its "exports" (".", import or default condition), else "main", else index.js. */
function packageEntry(folder: string, origin: ModuleOrigin): string {
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) return join(folder, 'index.js');
  let pkg: { exports?: unknown; main?: unknown };
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (err) {
    throw refused(origin, `package.json cannot be read (${firstLine(err)})`);
  }
  const main = exportedMain(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js');
  return join(folder, main);
}

function exportedMain(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const map = exports as Record<string, unknown>;
  const dot = '.' in map ? map['.'] : map;
  if (typeof dot === 'string') return dot;
  if (typeof dot !== 'object' || dot === null) return undefined;
  const conditions = dot as Record<string, unknown>;
  const chosen = conditions['import'] ?? conditions['default'];
  return typeof chosen === 'string' ? chosen : undefined;
}

/**
 * Node's and this file's resolution. Through createRequire, not import.meta: the single-file
 * agent's bundle (scripts/build-agent.mjs) has no import.meta, and its createRequire has no
 * `resolve`, which is how the loader sees that it cannot load packages there.
 */
const requireHere = createRequire(import.meta.url);

let sdkHookRegistered = false;

/**
 * A loaded module's `import … from 'taskwarden/sdk'` gets this process's own SDK, whether or
 * not the module's folder has Taskwarden in a node_modules: one copy, so what the module
 * throws (ValidationError) is what the server and agent recognise.
 */
function resolveSdkForModules(): void {
  if (sdkHookRegistered) return;
  sdkHookRegistered = true;
  const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'taskwarden/sdk') return { url: ${JSON.stringify(sdkUrl())}, shortCircuit: true };
  return next(specifier, context);
}`;
  const { register } = requireHere('node:module') as typeof import('node:module');
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/**
 * This process's SDK: the source file when Taskwarden runs from src/ (through tsx), else the
 * compiled one, dist/modules/sdk/index.js (this code then sits in dist/cli or dist/chunks).
 */
function sdkUrl(): string {
  let path: string;
  try {
    path = requireHere.resolve('./sdk/index.ts');
  } catch {
    path = requireHere.resolve('../modules/sdk/index.js');
  }
  return pathToFileURL(path).href;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
