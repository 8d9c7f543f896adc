import type { ModuleDefinition } from '../core/ports/module.ts';
import * as backup from './backup/index.ts';
import * as command from './command/index.ts';
import * as deploy from './deploy/index.ts';
import * as housekeeping from './housekeeping/index.ts';
import * as inventory from './inventory/index.ts';
import * as netdiscovery from './netdiscovery/index.ts';
import * as noop from './noop/index.ts';
import { definitionsOf, type ModulePackage, type ModulePackageEntry } from './registration.ts';
import * as wakeonlan from './wakeonlan/index.ts';

/**
 * Every module that ships with Taskwarden, each registered through the same path as a
 * third-party package (definitionsOf): a built-in module has no way in that another lacks.
 */
const BUILTIN_PACKAGES: Record<string, ModulePackage> = {
  command,
  housekeeping,
  inventory,
  wakeonlan,
  deploy,
  netdiscovery,
  backup,
};

/**
 * Modules for tests and benchmarks only (`noop`, `noop-serial`): never offered to users.
 * A server adds them with TASKWARDEN_TEST_MODULES=1 (test/support/cli.ts sets it).
 */
const TEST_PACKAGES: Record<string, ModulePackage> = { noop };

/** The built-in packages, with the test ones when asked for. */
export function builtinPackages(opts: { testModules?: boolean } = {}): ModulePackageEntry[] {
  const packages = { ...BUILTIN_PACKAGES, ...(opts.testModules ? TEST_PACKAGES : {}) };
  return Object.entries(packages).map(([entry, pkg]) => {
    const origin = { source: 'built-in', entry };
    return { origin, modules: definitionsOf(pkg, origin) };
  });
}

/** The built-in modules (and the test ones when asked for), as a registry takes them. */
export function builtinModules(opts: { testModules?: boolean } = {}): ModuleDefinition[] {
  return builtinPackages(opts).flatMap((pkg) => pkg.modules);
}
