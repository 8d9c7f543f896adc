// @ts-check
import { measure } from './measure.js';

/**
 * Agent half: each target agent measures its own disk.
 * @param {import('taskwarden/sdk').AgentJobContext<Record<string, unknown>>} ctx
 * @returns {Promise<import('taskwarden/sdk').AgentOutcome>}
 */
export async function runOnAgent(ctx) {
  return measure(ctx.params, (line) => ctx.log(line));
}
