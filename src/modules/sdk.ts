/**
 * The module SDK: what a module author (built-in or third party, `import … from 'taskwarden/sdk'`)
 * needs to define a kind of work. Built-in modules use nothing else to describe themselves.
 */
import { compileSchema } from '../core/json-schema.ts';
import type { ModuleDefinition, ModuleRegistry, ModuleSummary, SummaryInput } from '../core/ports/module.ts';

export { renderArgv } from '../core/catalog.ts';
export { busyTurn, type Clock, type PausedSince, sleepRunning } from '../core/clock.ts';
export { formatDuration, parseDuration } from '../core/duration.ts';
export { fieldPath, ValidationError } from '../core/errors.ts';
export type { JobstateReason, LogStream } from '../core/model.ts';
export type { DeviceSighting, InventoryChange } from '../core/ports/fleet.ts';
export type {
  AcceptContext,
  AgentJobContext,
  AgentOutcome,
  ExecuteOutcome,
  FleetAgent,
  ModuleDefinition,
  ModuleRegistry,
  ModuleServices,
  ModuleSummary,
  PayloadContext,
  ServerJobContext,
  SummaryInput,
} from '../core/ports/module.ts';
export type { LedgerEntry } from '../core/ports/store.ts';
/** Runs a rendered catalog command with the catalog's timeout, logging its lines and exit. */
export { type CommandOutcome, type CommandRun, runCommand } from './command/run-command.ts';
/** Runs a program without a shell, streaming its lines; stopping it kills its whole process tree. */
export { type ProcessOutcome, runProcess } from './command/run-process.ts';

type Params = Record<string, unknown>;

export type ModuleDefinitionInput<P extends Params> = Omit<
  ModuleDefinition<P>,
  'parseParams' | 'parallelizable' | 'icon' | 'description'
> & {
  /** Default true; false = never two of this module running at once in an org. */
  parallelizable?: boolean;
  icon?: string;
  description?: string;
  /**
   * Optional refinement. `paramsSchema` is always enforced first (with its defaults filled
   * in), so this only converts values (durations to seconds…) and checks rules a schema
   * cannot express. Without it, params are the schema-validated object. Its output must
   * itself pass the schema: stored params are parsed again when the job runs.
   */
  parseParams?(params: Params, field: string): P;
};

const MODULE_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** Checks a module definition and fills the defaults. Throws TypeError on a malformed definition. */
export function defineModule<P extends Params>(def: ModuleDefinitionInput<P>): ModuleDefinition<P> {
  if (!MODULE_NAME.test(def.name)) {
    throw new TypeError(`module name "${def.name}" must be lower-case letters, digits and "-", starting with a letter`);
  }
  if (def.paramsSchema['type'] !== 'object') {
    throw new TypeError(`module ${def.name}: paramsSchema must describe an object ({"type": "object", …})`);
  }
  if (def.runsOn !== 'agent' && !def.execute) {
    throw new TypeError(`module ${def.name}: runsOn "${def.runsOn}" needs a server half (execute)`);
  }
  // Compiled here, once: a broken schema fails at start-up, not at the first job.
  const validate = compileSchema(def.paramsSchema);
  const refine = def.parseParams;
  return {
    ...def,
    icon: def.icon ?? '•',
    description: def.description ?? '',
    parallelizable: def.parallelizable ?? true,
    parseParams(params, field) {
      const checked = validate(params ?? {}, field) as Params;
      return refine ? refine(checked, field) : (checked as P);
    },
  };
}

/** The set of modules a server knows, by name. */
export function createModuleRegistry(modules: ModuleDefinition[]): ModuleRegistry {
  const byName = new Map<string, ModuleDefinition>();
  for (const module of modules) {
    if (byName.has(module.name)) throw new TypeError(`module ${module.name} is registered twice`);
    byName.set(module.name, module);
  }
  return {
    get: (name) => byName.get(name),
    list: () => [...byName.values()],
  };
}

/**
 * The plain monitoring details most modules want: "3 ok, 1 failed", plus "2 pending" and
 * "1 not run" (cancelled or skipped) when there are any.
 */
export function summarizeOutcomes(jobstates: readonly SummaryInput[]): ModuleSummary {
  let ok = 0;
  let failed = 0;
  let pending = 0;
  let notRun = 0;
  for (const js of jobstates) {
    if (js.status === 'finished') ok++;
    else if (js.status === 'error') failed++;
    else if (js.status === 'cancelled' || js.status === 'skipped') notRun++;
    else pending++;
  }
  const parts = [`${ok} ok`, `${failed} failed`];
  if (pending > 0) parts.push(`${pending} pending`);
  if (notRun > 0) parts.push(`${notRun} not run`);
  return { details: parts.join(', ') };
}
