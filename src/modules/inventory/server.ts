/** Server half of `inventory`: checks what the agent reported and stores it with what changed. */
import {
  type AcceptContext,
  type AgentOutcome,
  countIn,
  type ModuleSummary,
  otherOutcomes,
  resultOf,
  type SummaryInput,
  ValidationError,
} from '../sdk/index.ts';
import { diffInventory } from './diff.ts';
import { checkInventory, type Inventory, type InventoryParams } from './schema.ts';

/**
 * The jobstate keeps a digest (`{hostname, first, changes}`); the inventory itself is on the
 * agent (GET /api/v1/agents/:id/inventory) and its history of changes next to it.
 */
export async function acceptInventory(ctx: AcceptContext<InventoryParams>): Promise<AgentOutcome> {
  if (!ctx.outcome.ok) return ctx.outcome;
  let inventory: Inventory;
  try {
    inventory = checkInventory(ctx.outcome.result, 'result');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return {
      ok: false,
      reason: 'module_failed',
      result: { error: `the agent's inventory is invalid: ${err.message}` },
    };
  }
  const { first, changes } = await ctx.services.fleet.saveInventory(
    { agentId: ctx.agentId, jobstateId: ctx.jobstate.id, data: { ...inventory } },
    (previous) => (previous === null ? [] : diffInventory(previous, { ...inventory })),
  );
  return { ok: true, result: { hostname: inventory.hostname, first, changes: changes.length } };
}

/** "12 inventoried, 3 changed" (seed 001's per-module details). */
export function summarizeInventory(jobstates: readonly SummaryInput[]): ModuleSummary {
  const done = jobstates.filter((js) => js.status === 'finished');
  const changed = done.filter((js) => countIn(resultOf(js), 'changes') > 0).length;
  const firsts = done.filter((js) => resultOf(js)['first'] === true).length;
  return {
    details: `${done.length} inventoried, ${changed} changed${otherOutcomes(jobstates, () => false)}`,
    ...(firsts > 0 ? { lines: [`first inventory : ${firsts}`] } : {}),
  };
}
