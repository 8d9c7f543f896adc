/**
 * A `deploy` job as the FusionInventory agent's Deploy task runs it (Task/Deploy.pm,
 * Deploy/Job.pm, CheckProcessor, ActionProcessor): the REST answer to getJobs, and what the
 * agent's setStatus calls mean for the jobstate.
 *
 * Checks. Taskwarden's are "already done" conditions, all of which must hold for the job to
 * be unneeded; the agent's each hold or fail, and a failing check's `return` decides
 * (`skip` the job, `startnow` it without further checks). So c1…cn become c1…c(n-1) with
 * return startnow, then NOT cn with return skip: the job is skipped exactly when every
 * condition holds. The agent checks regular files (`-f`) and expands $VAR and %VAR% in
 * paths: a folder never counts as present, and paths with "$" or "%" are refused. It has no
 * command check: manifests with one are refused.
 *
 * Steps. The agent runs `cmd` actions through /bin/sh; each catalog command's rendered argv
 * is single-quoted word by word, so no argument is ever shell text. An extract step is a
 * mkdir of the folder and a fixed `tar -xf <archive> -C <folder> --no-same-owner` (the
 * agent's own `uncompress` needs Perl modules Debian's agent lacks); the server hands out
 * only archives the hook's checkArchive let through (plain files and folders under relative
 * names: fusioninventory-hook.ts), to absolute folders under the org's allowed prefixes (the
 * agent has no package root). The archive goes as one associated file cut in parts, each
 * fetched by its sha512 and checked by the agent.
 *
 * Windows agents run `cmd` through cmd.exe, which reads quotes differently: refused.
 */
import type { FusionInventoryArchive, FusionInventoryDeployStatus } from '../sdk/index.ts';
import type { PreparedCheck, PreparedStep } from './manifest.ts';
import { checkExtractTarget } from './paths.ts';
import type { DeployOutcome, DeployPayload } from './schema.ts';

/** Output lines of one command the agent reports (each is a request to the server). */
const LOG_LINE_LIMIT = 50;
const OK_WHEN_EXIT_ZERO = [{ type: 'okCode', values: [0] }];

export interface AgentDeployAnswer {
  job: Record<string, unknown>;
  /** By sha512, as getJobs lists them for every job. */
  files: Record<string, Record<string, unknown>>;
}

export class UnsupportedDeploy extends Error {
  override name = 'UnsupportedDeploy';
}

/** True when the steps need the archive (an extract step). */
export function needsArchive(payload: Pick<DeployPayload, 'steps'>): boolean {
  return payload.steps.some((step) => step.type === 'extract');
}

/** The archive's file name in the agent's work folder (the tar command names it). */
export function archiveName(payload: Pick<DeployPayload, 'package'>): string {
  return `${payload.package.name}-${payload.package.sha256.slice(0, 12)}.tar`;
}

/**
 * The getJobs entry of one jobstate attempt (`uuid` names it). `archive` is required when
 * `needsArchive`. Throws UnsupportedDeploy (saying why) for what the agent cannot do as
 * Taskwarden means it.
 */
export function agentDeployJob(
  uuid: string,
  payload: DeployPayload,
  archive: FusionInventoryArchive | null,
  agentOs: string | null,
): AgentDeployAnswer {
  if (agentOs && /windows/i.test(agentOs)) {
    throw new UnsupportedDeploy('deploy commands for FusionInventory agents are written for POSIX shells, not Windows');
  }
  const name = archiveName(payload);
  const files: AgentDeployAnswer['files'] = {};
  if (needsArchive(payload)) {
    if (!archive) throw new Error('the archive parts are required for an extract step');
    files[archive.sha512] = {
      name,
      mirrors: [archive.mirror],
      multiparts: archive.parts,
      p2p: 0,
      'p2p-retention-duration': 0,
      uncompress: 0,
    };
  }
  checkFolders(payload);
  const job = {
    uuid,
    checks: agentChecks(payload.checks),
    associatedFiles: Object.keys(files),
    actions: payload.steps.flatMap((step, i) => agentActions(step, i + 1, name)),
  };
  return { job, files };
}

/**
 * The agent cannot check where it extracts: every folder must be absolute (it has no
 * package root) and under one the org allows, checked here again whatever the payload's origin.
 */
function checkFolders(payload: DeployPayload): void {
  for (const [i, step] of payload.steps.entries()) {
    if (step.type !== 'extract') continue;
    if (!step.to.startsWith('/')) {
      throw new UnsupportedDeploy(
        `steps[${i}].to: FusionInventory agents have no package root: extract to an absolute folder the global admin allowed`,
      );
    }
    try {
      checkExtractTarget(step.to, payload.extractPrefixes ?? [], `steps[${i}].to`);
    } catch (err) {
      throw new UnsupportedDeploy(err instanceof Error ? err.message : String(err));
    }
  }
}

function agentChecks(checks: readonly PreparedCheck[]): Record<string, string>[] {
  return checks.map((check, i) => {
    if (check.type === 'command') {
      throw new UnsupportedDeploy(
        `checks[${i}]: FusionInventory agents have no command check (use file-exists or file-absent)`,
      );
    }
    if (!check.path.startsWith('/')) {
      throw new UnsupportedDeploy(
        `checks[${i}].path: FusionInventory agents have no package root: use an absolute path`,
      );
    }
    if (/[$%]/.test(check.path)) {
      throw new UnsupportedDeploy(`checks[${i}].path: FusionInventory agents expand "$" and "%" in check paths`);
    }
    const last = i === checks.length - 1;
    const holds = check.type === 'file-exists';
    // The last condition is asked the other way round: failing it (it holds) skips the job.
    const asked = last ? !holds : holds;
    return { type: asked ? 'fileExists' : 'fileMissing', path: check.path, return: last ? 'skip' : 'startnow' };
  });
}

function agentActions(step: PreparedStep, number: number, archive: string): Record<string, unknown>[] {
  if (step.type === 'command') {
    return [{ cmd: command(`step ${number}: ${step.command}`, step.argv) }];
  }
  return [
    { mkdir: { list: [step.to], name: `step ${number}: create ${step.to}` } },
    {
      cmd: command(`step ${number}: extract the package to ${step.to}`, [
        'tar',
        '-xf',
        archive,
        '-C',
        step.to,
        '--no-same-owner',
      ]),
    },
  ];
}

function command(name: string, argv: readonly string[]): Record<string, unknown> {
  return { exec: argv.map(shellQuote).join(' '), name, retChecks: OK_WHEN_EXIT_ZERO, logLineLimit: LOG_LINE_LIMIT };
}

/** One word for /bin/sh whatever it holds: single quotes, each ' as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

export interface DeployStatusMeaning {
  /** For the jobstate's log. */
  line: string;
  /** Set when this call ends the job. */
  end: { outcome: DeployOutcome; message: string } | null;
}

/**
 * The agent ends a job with one of: status ko (a check with return ko, a download, the
 * work folder or an action failed), status ok "job skipped" (a check with return skip
 * failed: Taskwarden's unneeded), status ok without a current step ("job successfully
 * completed"). Everything else is progress.
 */
export function readDeployStatus(status: FusionInventoryDeployStatus): DeployStatusMeaning {
  const msg = status.msg ?? '';
  const file = status.part === 'file' && status.sha512 ? ` (file ${status.sha512.slice(0, 12)}…)` : '';
  const line = `[${status.currentStep || 'end'}] ${status.status ? `${status.status}: ` : ''}${msg}${file}`;
  if (status.status === 'ko') return { line, end: { outcome: 'ko', message: msg || 'the agent reported a failure' } };
  if (status.status === 'ok' && status.part === 'job' && msg === 'job skipped') {
    return { line, end: { outcome: 'unneeded', message: msg } };
  }
  if (status.status === 'ok' && status.part === 'job' && !status.currentStep) {
    return { line, end: { outcome: 'ok', message: msg } };
  }
  return { line, end: null };
}
