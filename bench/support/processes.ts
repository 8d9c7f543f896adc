// Child processes for the footprint bench: each one started, awaited and stopped within a
// time limit, with its output kept for the error message when something does not come.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Started {
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Waits until `pattern` appears in the output; returns its first group (or the match). */
  waitFor(pattern: RegExp, limitMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
// A bench that fails half-way must not leave servers and agents behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Runs `command` (default: this Node) with `args`. */
export function start(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; command?: string } = {}): Started {
  const child = spawn(opts.command ?? process.execPath, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      live.delete(child);
      done();
    }),
  );
  return {
    child,
    output: () => output,
    async waitFor(pattern, limitMs) {
      const until = performance.now() + limitMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match[1] ?? match[0];
        if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited (${child.exitCode}):\n${output}`);
        if (performance.now() > until)
          throw new Error(`${args.join(' ')}: no ${pattern} within ${limitMs} ms:\n${output}`);
        await sleep(5);
      }
    },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Wall time of one run to its exit, in ms; throws when it fails or outlasts `limitMs`. */
export function timeRun(args: string[], opts: { env?: NodeJS.ProcessEnv; limitMs: number }): number {
  const begin = performance.now();
  const res = spawnSync(process.execPath, args, { env: opts.env ?? process.env, timeout: opts.limitMs });
  const ms = performance.now() - begin;
  if (res.status !== 0) {
    const why = res.error ? res.error.message : `exit ${res.status ?? res.signal}`;
    throw new Error(`${args.join(' ')}: ${why}\n${res.stdout}${res.stderr}`);
  }
  return ms;
}

/** Polls `url` until it answers 200; returns when, bounded by `limitMs`. */
export async function waitForOk(url: string, limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  for (;;) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    if (performance.now() > until) throw new Error(`${url} did not answer 200 within ${limitMs} ms`);
    await sleep(5);
  }
}

/**
 * CPU time a running process used so far, in seconds (Linux /proc; USER_HZ is 100): all its
 * threads, or with `thread` that one alone (the process's id: its main thread, Node's event loop).
 */
export function cpuSecondsOf(pid: number, thread?: number): number {
  const stat = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Resident, peak resident and private (anonymous: not pages of files such as the node
 * binary, which other processes share) memory of a running process, in MB (Linux /proc).
 */
export function memoryOf(pid: number): { rssMb: number; peakMb: number; privateMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, privateMb: kb('RssAnon') / 1024 };
}
