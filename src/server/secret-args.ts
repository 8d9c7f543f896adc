import { fieldPath, ValidationError } from '../core/errors.ts';
import type { JobDef, Task, TaskDef } from '../core/model.ts';
import { deliveryOf, SECRET_MASK } from '../core/param-delivery.ts';
import type { HistoryEntry, Store } from '../core/ports/store.ts';

/** The module whose jobs pass args to catalog commands. */
const COMMAND_MODULE = 'command';

type CommandJobParams = { command: string; args: Record<string, unknown> };

function commandParams(job: JobDef): CommandJobParams | null {
  if (job.module !== COMMAND_MODULE) return null;
  const { command, args } = job.params as Partial<CommandJobParams>;
  if (typeof command !== 'string' || args === null || typeof args !== 'object' || Array.isArray(args)) return null;
  return { command, args };
}

/**
 * The values of `secret` command params as the API shows them: `***`, to everyone (the
 * operator who wrote one included: it is written, never read back). A task written back
 * with `***` keeps its stored value. Which params are secret is read from the catalog when
 * the task is shown, so a param made secret later is hidden in old tasks and history too;
 * a command no longer in the catalog has every arg hidden, as nothing says which are safe.
 * One instance per request: it remembers the catalog entries it looked up.
 */
export class SecretArgs {
  private readonly secretNames = new Map<string, Promise<Set<string> | null>>();

  constructor(private readonly store: Store) {}

  async task(task: Task): Promise<Task> {
    return { ...task, jobs: await this.jobs(task.orgId, task.jobs) };
  }

  /** A history entry's diff, `{created: def}` or `{jobs: {from, to}, …}`, with the jobs in it masked. */
  async history(entry: HistoryEntry): Promise<HistoryEntry> {
    const diff = entry.diff as Record<string, unknown> | null;
    const masked = async (jobs: unknown) => (Array.isArray(jobs) ? this.jobs(entry.orgId, jobs as JobDef[]) : jobs);
    if (diff === null || typeof diff !== 'object') return entry;
    const created = diff['created'] as Partial<TaskDef> | undefined;
    if (created && typeof created === 'object') {
      return { ...entry, diff: { ...diff, created: { ...created, jobs: await masked(created.jobs) } } };
    }
    const jobs = diff['jobs'] as { from?: unknown; to?: unknown } | undefined;
    if (jobs && typeof jobs === 'object') {
      return { ...entry, diff: { ...diff, jobs: { from: await masked(jobs.from), to: await masked(jobs.to) } } };
    }
    return entry;
  }

  /**
   * `def` with each secret arg given as `***` replaced by the stored value of the same job
   * (same name, same catalog command) of `current`. Nothing to keep is a 400: `***` never
   * stands for a value of another job or command, so it cannot carry a secret elsewhere.
   */
  async keepStored(orgId: string, current: TaskDef | null, def: TaskDef): Promise<TaskDef> {
    const jobs: JobDef[] = [];
    for (const [i, job] of def.jobs.entries()) {
      const params = commandParams(job);
      const masked = params && Object.keys(params.args).filter((name) => params.args[name] === SECRET_MASK);
      if (!params || !masked?.length) {
        jobs.push(job);
        continue;
      }
      const secret = (await this.secretsOf(orgId, params.command)) ?? new Set();
      const stored = current?.jobs.find((j) => j.name === job.name);
      const storedParams = stored && commandParams(stored);
      const args = { ...params.args };
      for (const name of masked.filter((n) => secret.has(n))) {
        if (storedParams?.command !== params.command || !(name in storedParams.args)) {
          throw new ValidationError(
            fieldPath(fieldPath(fieldPath(fieldPath('jobs', i), 'params'), 'args'), name),
            `"${SECRET_MASK}" keeps the stored secret, but this job has none for command "${params.command}": give the value`,
          );
        }
        args[name] = storedParams.args[name];
      }
      jobs.push({ ...job, params: { ...job.params, args } });
    }
    return { ...def, jobs };
  }

  private async jobs(orgId: string, jobs: JobDef[]): Promise<JobDef[]> {
    const masked: JobDef[] = [];
    for (const job of jobs) {
      const params = commandParams(job);
      if (!params) {
        masked.push(job);
        continue;
      }
      const secret = await this.secretsOf(orgId, params.command);
      const args = Object.fromEntries(
        Object.entries(params.args).map(([name, value]) => [
          name,
          secret === null || secret.has(name) ? SECRET_MASK : value,
        ]),
      );
      masked.push({ ...job, params: { ...job.params, args } });
    }
    return masked;
  }

  /** Names of the command's secret params; null when the org's catalog has no such command. */
  private secretsOf(orgId: string, command: string): Promise<Set<string> | null> {
    const key = `${orgId}\0${command}`;
    let names = this.secretNames.get(key);
    if (!names) {
      names = this.store.commands.resolve(orgId, command).then((found) => {
        if (!found) return null;
        return new Set(Object.keys(found.params).filter((name) => deliveryOf(found.params[name] ?? {}).secret));
      });
      this.secretNames.set(key, names);
    }
    return names;
  }
}
