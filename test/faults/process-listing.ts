// What runs on this machine, read from /proc as `ps` would: the fault tests count the
// copies of a command by a unique token in its argv, and count its executions by the
// lines it appended to a marker file.
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Live processes (zombies left out: they run nothing) whose command line holds `token`. */
export async function processesWith(token: string): Promise<number[]> {
  return (await holders(token)).map(({ pid }) => pid);
}

/**
 * The copies of a command: processes holding `token` whose parent does not. A shell that
 * starts a program forks first, and until the fork execs, the child's command line is the
 * shell's: that is the same copy, not a second one.
 */
export async function copiesOf(token: string): Promise<number[]> {
  const found = await holders(token);
  const pids = new Set(found.map(({ pid }) => pid));
  return found.filter(({ parent }) => !pids.has(parent)).map(({ pid }) => pid);
}

async function holders(token: string): Promise<{ pid: number; parent: number }[]> {
  const found: { pid: number; parent: number }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8');
      if (!cmdline.includes(token)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      // After the command's name in parentheses: state, then the parent's pid.
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') found.push({ pid: Number(name), parent: Number(parent) });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return found;
}

/**
 * Counts the copies of a command (processes holding `token`) every few milliseconds until
 * stopped, keeping the most seen at once: "never two at once" is checked over the whole
 * scenario, not at a few chosen moments.
 */
export class CopyWatch {
  most = 0;
  samples = 0;
  private readonly done: Promise<void>;
  private stopped = false;

  constructor(private readonly token: string) {
    this.done = this.poll();
  }

  now(): Promise<number> {
    return copiesOf(this.token).then((pids) => pids.length);
  }

  async stop(): Promise<{ most: number; samples: number }> {
    this.stopped = true;
    await this.done;
    return { most: this.most, samples: this.samples };
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      this.most = Math.max(this.most, await this.now());
      this.samples++;
      await sleep(10);
    }
  }
}

/** Executions of a command that appends one line per execution to `file`. */
export async function executions(file: string): Promise<number> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Kills what is left of the copies (a failed test must not leave a `sleep 30` behind). */
export async function killCopies(token: string): Promise<void> {
  for (const pid of await processesWith(token)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
