// @ts-check
import { measure } from './measure.js';

/**
 * Server half: a job targeting the server measures the server's disk, in one chunk.
 * @param {import('taskwarden/sdk').ServerJobContext<Record<string, unknown>>} ctx
 * @returns {Promise<import('taskwarden/sdk').ExecuteOutcome>}
 */
export async function executeOnServer(ctx) {
  const { ok, result } = await measure(ctx.params, ctx.log);
  return { done: true, ok, result };
}
