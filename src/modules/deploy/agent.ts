/**
 * Agent half of `deploy`: checks whether the package is already installed (or uninstalled);
 * if not, runs the steps in order, fetching the archive (verified by its sha256) for the
 * first extract, into a folder agent-paths.ts allows. Any failed step ends the job `ko`
 * with the step's number.
 */
import { access } from 'node:fs/promises';
import { type AgentJobContext, type AgentOutcome, compileSchemaOnFirstUse, runCommand } from '../sdk/index.ts';
import { type AgentPlaces, checkedPath, extractFolder, RefusedTarget } from './agent-paths.ts';
import type { PreparedCheck, PreparedCommand, PreparedStep } from './manifest.ts';
import { readPath } from './paths.ts';
import { type DeployOutcome, type DeployParams, type DeployPayload, deployPayloadSchema } from './schema.ts';
import { extractTar, UnsafeArchiveError } from './tar-extract.ts';
import { TarFormatError } from './tar-read.ts';

const checkPayload = compileSchemaOnFirstUse(deployPayloadSchema, { useDefaults: false });

export async function runDeploy(ctx: AgentJobContext<DeployParams>): Promise<AgentOutcome> {
  let payload: DeployPayload;
  try {
    payload = checkPayload(ctx.payload, 'payload') as DeployPayload;
    for (const [i, check] of payload.checks.entries()) {
      if (check.type !== 'command') readPath(check.path, `payload.checks[${i}].path`);
    }
  } catch (err) {
    const error = `the server sent no runnable package (${err instanceof Error ? err.message : String(err)})`;
    ctx.log(error);
    return { ok: false, reason: 'module_failed', result: { error } };
  }
  const { name, version } = payload.package;
  const report = (outcome: DeployOutcome, more: Record<string, unknown> = {}) => ({
    package: name,
    version,
    action: payload.action,
    outcome,
    ...more,
  });
  const places: AgentPlaces = { packageRoot: ctx.packageRoot, extractPrefixes: payload.extractPrefixes ?? [] };
  if (payload.checks.length > 0 && (await allSatisfied(ctx, payload.checks, places))) {
    ctx.log(`${name} ${version}: nothing to ${payload.action}, every check is satisfied`);
    return { ok: true, result: report('unneeded') };
  }
  // Without checks, the ledger's word stands: installed by an earlier run (`force` asks again).
  if (payload.checks.length === 0 && payload.installed) {
    ctx.log(`${name} ${version}: installed already by run ${payload.installed.runId} at ${payload.installed.at}`);
    return { ok: true, result: report('unneeded', { installedBy: payload.installed.runId }) };
  }
  let archive: string | null = null;
  for (const [i, step] of payload.steps.entries()) {
    const failure = await runStep(ctx, step, places, async () => {
      archive ??= await ctx.fetchFile(payload.package.sha256);
      return archive;
    });
    if (failure !== null) {
      ctx.log(`${name} ${version}: step ${i + 1} failed: ${failure.error}`);
      return {
        ok: false,
        reason: failure.reason ?? 'module_failed',
        result: report('ko', { step: i + 1, error: failure.error }),
      };
    }
  }
  ctx.log(`${name} ${version}: ${payload.action} done`);
  return { ok: true, result: report('ok') };
}

interface StepFailure {
  error: string;
  reason?: AgentOutcome['reason'];
}

async function runStep(
  ctx: AgentJobContext<DeployParams>,
  step: PreparedStep,
  places: AgentPlaces,
  archive: () => Promise<string>,
): Promise<StepFailure | null> {
  if (step.type === 'command') {
    const outcome = await run(ctx, step);
    if (outcome.ok) return null;
    const { exitCode, error } = outcome.result;
    return {
      error: error ?? `"${step.command}" exited with code ${exitCode}`,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
    };
  }
  try {
    const folder = await extractFolder(step.to, places);
    const extracted = await extractTar(await archive(), folder);
    ctx.log(
      `extracted ${extracted.files} files, ${extracted.directories} folders, ${extracted.links} links to ${folder}`,
    );
    return null;
  } catch (err) {
    // A refused archive or target is the package's fault; anything else (disk full, permissions) is this machine's.
    if (err instanceof RefusedTarget) return { error: `extracting refused: ${err.message}` };
    if (err instanceof UnsafeArchiveError || err instanceof TarFormatError)
      return { error: `archive refused: ${err.message}` };
    return { error: `extracting to ${step.to} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Every check holds; stops at the first that does not. */
async function allSatisfied(
  ctx: AgentJobContext<DeployParams>,
  checks: readonly PreparedCheck[],
  places: AgentPlaces,
): Promise<boolean> {
  for (const check of checks) {
    if (check.type === 'command') {
      if (!(await run(ctx, check)).ok) return false;
      continue;
    }
    const exists = await access(checkedPath(check.path, places)).then(
      () => true,
      () => false,
    );
    if (exists !== (check.type === 'file-exists')) return false;
  }
  return true;
}

function run(ctx: AgentJobContext<DeployParams>, command: PreparedCommand) {
  return runCommand({
    name: command.command,
    argv: command.argv,
    timeoutSeconds: command.timeoutSeconds,
    signal: ctx.signal,
    clock: ctx.clock,
    log: ctx.log,
  });
}
