// A module for rollout tests: runs on agent targets but is executed by the server (like
// wake-on-LAN), so a fake clock drives a whole fleet; it fails for the agents its params name.
import type { Jobstate } from '../../src/core/model.ts';
import { defineModule } from '../../src/modules/sdk/index.ts';

type FleetStepParams = { fail: string[]; sleepMs: number };

export const fleetStep = defineModule<FleetStepParams>({
  name: 'fleet-step',
  title: 'Fleet step (tests)',
  runsOn: 'agent',
  agentTargetsRunOn: 'server',
  paramsSchema: {
    type: 'object',
    properties: {
      fail: { type: 'array', items: { type: 'string' }, default: [] },
      sleepMs: { type: 'integer', minimum: 0, default: 0 },
    },
    additionalProperties: false,
  },
  async execute(ctx) {
    if (ctx.params.sleepMs > 0) await ctx.clock.sleep(ctx.params.sleepMs, ctx.signal);
    const failed = ctx.params.fail.includes(ctx.jobstate.agentId ?? '');
    return failed ? { done: true, ok: false, reason: 'module_failed' } : { done: true, ok: true };
  },
});

/** The run's jobstates of one job in rollout order (wave, then agent name via `nameOf`). */
export function byWave(jobstates: Jobstate[], nameOf: (agentId: string | null) => string): Jobstate[] {
  return [...jobstates].sort(
    (a, b) => (a.wave ?? 0) - (b.wave ?? 0) || nameOf(a.agentId).localeCompare(nameOf(b.agentId)),
  );
}
