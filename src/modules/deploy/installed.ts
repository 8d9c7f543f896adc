import type { LedgerEntry, PayloadContext } from '../sdk/index.ts';
import type { DeployParams, DeployPayload } from './schema.ts';

/** A deploy job's result as the agent half reports it (see agent.ts). */
interface DeployResult {
  package: string;
  version: string;
  action: 'install' | 'uninstall';
  outcome: 'ok' | 'unneeded' | 'ko';
}

function deployResultOf(entry: LedgerEntry): DeployResult | null {
  const r = entry.result as Partial<DeployResult> | null;
  if (typeof r !== 'object' || r === null) return null;
  const shaped =
    typeof r.package === 'string' &&
    typeof r.version === 'string' &&
    (r.action === 'install' || r.action === 'uninstall') &&
    typeof r.outcome === 'string';
  return shaped ? (r as DeployResult) : null;
}

/**
 * The ledger's word on whether this package version is installed on the job's agent: the
 * latest deploy outcome of the package there (any task) is a successful install of this
 * very version. A later uninstall, another version or a failure means it is not.
 */
export async function installedBefore(
  ctx: PayloadContext<DeployParams>,
  pkg: { name: string; version: string },
): Promise<DeployPayload['installed'] | undefined> {
  const agentId = ctx.jobstate.agentId;
  if (ctx.params.action !== 'install' || ctx.params.force || agentId === null) return undefined;
  let latest: { entry: LedgerEntry; result: DeployResult } | null = null;
  for (const entry of await ctx.services.ledger.ofTarget(agentId)) {
    const result = deployResultOf(entry);
    if (result?.package !== pkg.name || (latest && latest.entry.at >= entry.at)) continue;
    latest = { entry, result };
  }
  if (!latest) return undefined;
  const { entry, result } = latest;
  const installed =
    entry.status === 'finished' &&
    result.action === 'install' &&
    result.version === pkg.version &&
    result.outcome !== 'ko';
  return installed ? { runId: entry.runId, at: new Date(entry.at).toISOString() } : undefined;
}
