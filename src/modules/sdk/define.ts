import { compileSchema } from '../../core/json-schema.ts';
import type { ModuleDefinition } from '../../core/ports/module.ts';

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
const RUNS_ON = ['server', 'agent', 'both'];

/**
 * Throws TypeError naming what is wrong with a definition's shape: what defineModule and the
 * module loader (a third party's package, checked at start) both refuse.
 */
export function checkDefinition(def: Partial<Record<keyof ModuleDefinitionInput<Params>, unknown>>): void {
  const name = def.name;
  if (typeof name !== 'string' || !MODULE_NAME.test(name)) {
    throw new TypeError(
      `module name ${JSON.stringify(name ?? null)} must be lower-case letters, digits and "-", starting with a letter`,
    );
  }
  if (typeof def.title !== 'string' || def.title === '') throw new TypeError(`module ${name}: title is missing`);
  if (typeof def.runsOn !== 'string' || !RUNS_ON.includes(def.runsOn)) {
    throw new TypeError(`module ${name}: runsOn must be "server", "agent" or "both"`);
  }
  const schema = def.paramsSchema as Record<string, unknown> | undefined;
  if (typeof schema !== 'object' || schema === null || schema['type'] !== 'object') {
    throw new TypeError(`module ${name}: paramsSchema must describe an object ({"type": "object", …})`);
  }
  if (def.runsOn !== 'agent' && typeof def.execute !== 'function') {
    throw new TypeError(`module ${name}: runsOn "${def.runsOn}" needs a server half (execute)`);
  }
  const agentHalf = def.agent as { run?: unknown } | undefined;
  if (def.runsOn !== 'server' && def.agentTargetsRunOn !== 'server' && typeof agentHalf?.run !== 'function') {
    throw new TypeError(`module ${name}: runsOn "${def.runsOn}" needs an agent half (agent.run)`);
  }
}

/** Checks a module definition and fills the defaults. Throws TypeError on a malformed definition. */
export function defineModule<P extends Params>(def: ModuleDefinitionInput<P>): ModuleDefinition<P> {
  checkDefinition(def);
  // Compiled here, once: a broken schema fails at start-up, not at the first job.
  let validate: ReturnType<typeof compileSchema>;
  try {
    validate = compileSchema(def.paramsSchema);
  } catch (err) {
    throw new TypeError(`module ${def.name}: paramsSchema is not a valid JSON schema (${(err as Error).message})`);
  }
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
