/**
 * How a module package becomes modules a server or an agent runs: built-in and third-party
 * ones alike. A module file's default export is one definition (`defineModule` of
 * `taskwarden/sdk`) or a list of them; each is checked here, and a mistake names the
 * package it came from, so a broken module stops the start with one clear line.
 */
import { ValidationError } from '../core/errors.ts';
import type { ModuleDefinition } from '../core/ports/module.ts';
import { checkDefinition } from './sdk/define.ts';

/** A module package's exports, as `import()` returns them. */
export type ModulePackage = Readonly<Record<string, unknown>>;

/** Where a package came from, for messages: "built-in command", "TASKWARDEN_MODULES: /opt/tw/x". */
export interface ModuleOrigin {
  /** The setting that listed it (TASKWARDEN_MODULES, `FILE: modules`), or "built-in". */
  source: string;
  /** The entry as written: a package name or a path. */
  entry: string;
}

/** A package and the modules it defined. */
export interface ModulePackageEntry {
  origin: ModuleOrigin;
  modules: ModuleDefinition[];
}

/** The definitions a module package exports, each checked. */
export function definitionsOf(pkg: ModulePackage, origin: ModuleOrigin): ModuleDefinition[] {
  const exported = pkg['default'];
  if (exported === undefined) {
    throw refused(origin, 'exports no module (expected `export default defineModule({…})` or a list of them)');
  }
  const list = Array.isArray(exported) ? exported : [exported];
  if (list.length === 0) throw refused(origin, 'its default export is an empty list');
  return list.map((def: unknown) => {
    if (typeof def !== 'object' || def === null) throw refused(origin, 'its default export is not a module definition');
    try {
      checkDefinition(def as Parameters<typeof checkDefinition>[0]);
    } catch (err) {
      throw refused(origin, (err as Error).message);
    }
    const { name, parseParams } = def as ModuleDefinition;
    if (typeof parseParams !== 'function') {
      throw refused(origin, `module ${name}: not made by defineModule of taskwarden/sdk (parseParams is missing)`);
    }
    return def as ModuleDefinition;
  });
}

/** Every definition once by name: a name taken twice names both packages. */
export function uniqueModules(packages: readonly ModulePackageEntry[]): ModuleDefinition[] {
  const seen = new Map<string, ModuleOrigin>();
  const all: ModuleDefinition[] = [];
  for (const { origin, modules } of packages) {
    for (const module of modules) {
      const first = seen.get(module.name);
      if (first) throw refused(origin, `module name "${module.name}" is already taken by ${describe(first)}`);
      seen.set(module.name, origin);
      all.push(module);
    }
  }
  return all;
}

export function refused(origin: ModuleOrigin, why: string): ValidationError {
  return new ValidationError(origin.source, `${origin.entry}: ${why}`);
}

function describe(origin: ModuleOrigin): string {
  return origin.source === 'built-in' ? `the built-in module ${origin.entry}` : `${origin.entry} (${origin.source})`;
}
