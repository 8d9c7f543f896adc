/**
 * The deploy module's FusionInventory hook: nothing at the PROLOG (the agent's Deploy task
 * asks for its jobs later), the getJobs entry (translated by fusioninventory.ts), what the
 * agent's setStatus calls mean for the jobstate, and which archives the agent may extract.
 */
import { open } from 'node:fs/promises';
import type { FleetAgent, FusionInventoryHook, PayloadContext } from '../sdk/index.ts';
import { agentDeployJob, needsArchive, readDeployStatus } from './fusioninventory.ts';
import type { DeployParams } from './schema.ts';
import { deployPayload } from './server.ts';
import { readTarEntries, TarFormatError } from './tar-read.ts';

export const deployFusionInventory: FusionInventoryHook<DeployParams> = {
  // The agent's Deploy task asks for its jobs later (getJobs): nothing in the PROLOG.
  prolog: () => ({ lines: ["waiting for the agent's Deploy task to ask for it (getJobs)"] }),
  deploy: {
    /** A job the agent cannot run as Taskwarden means it ends ko here, saying why. */
    async job(ctx) {
      try {
        const payload = await deployPayload(ctx);
        const archive = needsArchive(payload) ? await ctx.archive(payload.package.sha256) : null;
        const { job, files } = agentDeployJob(ctx.uuid, payload, archive, osOf(ctx.agent));
        const { name, version } = payload.package;
        return { lines: [`handed to the agent's Deploy task: ${name} ${version} (${payload.action})`], job, files };
      } catch (err) {
        const error = `the job cannot run on this FusionInventory agent: ${err instanceof Error ? err.message : String(err)}`;
        const result = { ...(await identity(ctx)), outcome: 'ko', error };
        return { lines: [], end: { ok: false, reason: 'module_failed', result } };
      }
    },
    /** The ends read as the deploy module's own outcomes: ok, unneeded (a check skipped the job) or ko. */
    async status(ctx) {
      const { line, end } = readDeployStatus(ctx.status);
      if (!end) return { line, end: null };
      const { outcome, message } = end;
      const result = { ...(await identity(ctx)), outcome, ...(outcome === 'ko' ? { error: message } : {}) };
      return { line, end: outcome === 'ko' ? { ok: false, reason: 'module_failed', result } : { ok: true, result } };
    },
    checkArchive: extractableByAgent,
  },
};

/** The agent's operating system as its inventory names it (inventory module: `os.name`). */
function osOf(agent: FleetAgent | null): string | null {
  const os = agent?.inventory?.['os'] as { name?: unknown } | undefined;
  return typeof os?.name === 'string' ? os.name : null;
}

/** What every deploy result names, as the deploy module's own agent reports it. */
async function identity(ctx: PayloadContext<DeployParams>) {
  const { params } = ctx;
  const pkg = await ctx.services.packages.find(params.package, params.version);
  return { package: params.package, version: pkg?.version ?? params.version ?? null, action: params.action };
}

/**
 * The agent extracts the archive with the system's tar (fusioninventory.ts), so it may hold
 * only plain files and folders under relative names without "..".
 */
async function extractableByAgent(file: { path: string }): Promise<string | null> {
  const handle = await open(file.path, 'r');
  try {
    for (const entry of await readTarEntries(handle)) {
      const segments = entry.name.split('/');
      if (entry.type !== 'file' && entry.type !== 'directory') {
        return `"${entry.name}" is a ${entry.type}: FusionInventory agents get plain files and folders only`;
      }
      if (entry.name.startsWith('/') || segments.includes('..') || entry.name.includes('\0')) {
        return `"${entry.name}" is not a relative name inside the folder`;
      }
    }
    return null;
  } catch (err) {
    if (err instanceof TarFormatError) return `the archive is not a tar archive this server reads: ${err.message}`;
    throw err;
  } finally {
    await handle.close();
  }
}
