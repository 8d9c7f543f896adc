/** Server half of `deploy`: prepares each agent's job (package by hash, commands rendered) and summarizes runs. */
import type { ModuleSummary, PayloadContext, SummaryInput } from '../sdk/index.ts';
import { resultOf } from '../sdk/index.ts';
import { installedBefore } from './installed.ts';
import { type PackageManifest, prepareProcedure } from './manifest.ts';
import { checkExtractTargets } from './paths.ts';
import type { DeployParams, DeployPayload } from './schema.ts';

/** Throws with the reason when the package, its uninstall procedure or a command is missing: the job then fails. */
export async function deployPayload(ctx: PayloadContext<DeployParams>): Promise<DeployPayload> {
  const { package: name, version, action } = ctx.params;
  const pkg = await ctx.services.packages.find(name, version);
  if (!pkg) throw new Error(`package "${name}"${version ? ` version "${version}"` : ''} was not uploaded`);
  const manifest = pkg.manifest as unknown as PackageManifest;
  const procedure = action === 'install' ? manifest : manifest.uninstall;
  if (!procedure) throw new Error(`package "${name}" ${pkg.version} has no uninstall procedure`);
  const resolve = (command: string) => ctx.services.commands.resolve(command);
  const at = action === 'install' ? 'manifest' : 'manifest.uninstall';
  // The package was checked when saved; the org's allowed folders may have shrunk since.
  const extractPrefixes = await ctx.services.packages.extractPrefixes();
  checkExtractTargets({ checks: procedure.checks, steps: procedure.steps }, extractPrefixes, at);
  const { checks, steps } = await prepareProcedure(procedure, resolve, at);
  const installed = await installedBefore(ctx, pkg);
  return {
    package: { name: pkg.name, version: pkg.version, sha256: pkg.sha256, size: pkg.size },
    action,
    checks,
    steps,
    extractPrefixes,
    ...(installed ? { installed } : {}),
  };
}

interface Tally {
  label: string;
  ok: number;
  ko: number;
  unneeded: number;
}

/**
 * Seed 001: "80 deployments (ok: 50, ko: 12, unneeded: 3)", then one line per job, named by
 * its package: "LibreOffice - ok : 30, ko : 2, unneeded : 3". Every jobstate is a
 * deployment; those not ended yet are in none of the three.
 */
export function summarizeDeploy(jobstates: readonly SummaryInput[]): ModuleSummary {
  const total: Tally = { label: '', ok: 0, ko: 0, unneeded: 0 };
  const byJob = new Map<string, Tally>();
  const targets = new Set<string>();
  for (const js of jobstates) {
    const result = resultOf(js);
    const tally = byJob.get(js.job) ?? { label: js.job, ok: 0, ko: 0, unneeded: 0 };
    byJob.set(js.job, tally);
    if (typeof result['package'] === 'string') tally.label = result['package'];
    if (js.agentId) targets.add(js.agentId);
    const outcome =
      js.status === 'error'
        ? 'ko'
        : js.status === 'finished'
          ? result['outcome'] === 'unneeded'
            ? 'unneeded'
            : 'ok'
          : null;
    if (outcome) {
      tally[outcome]++;
      total[outcome]++;
    }
  }
  const counts = (t: Tally) => `ok : ${t.ok}, ko : ${t.ko}, unneeded : ${t.unneeded}`;
  return {
    details: `${jobstates.length} deployments (ok: ${total.ok}, ko: ${total.ko}, unneeded: ${total.unneeded})`,
    lines: [`Total targeted devices : ${targets.size}`, ...[...byJob.values()].map((t) => `${t.label} - ${counts(t)}`)],
  };
}
