// The real `taskwarden` binary as a child process: one-shot commands (output and exit code)
// and long-running ones (a server, an agent) whose output is watched for a line. Tests run
// it on the TypeScript sources (TASKWARDEN_FROM_SOURCE=1, quietly), so a test checks the code
// as it is, never a dist/ build that may be stale; test/build/ checks the compiled build and
// how the bin chooses between the two.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags.ts';

export const BIN = join(import.meta.dirname, '../../bin/taskwarden.js');

/**
 * Node's arguments for `taskwarden server …args` started with the server's Node flags, as
 * its service and container start it: the process started is the server itself, which a
 * fault kills or stops and a bench measures, not a relauncher in front of it (cli/relaunch.ts).
 */
export function serverArgv(...args: string[]): string[] {
  return [...SERVER_NODE_FLAGS, BIN, 'server', ...args];
}

/**
 * This process's environment with `extra`, for a child that runs BIN. A server started so
 * also has the modules for tests (noop, noop-serial: TASKWARDEN_TEST_MODULES).
 */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, TASKWARDEN_FROM_SOURCE: '1', TASKWARDEN_TEST_MODULES: '1', ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The connection variables of the machine running the tests never leak into a test's commands. */
const CLEAN_ENV = {
  TASKWARDEN_URL: '',
  TASKWARDEN_TOKEN: '',
  TASKWARDEN_ORG: '',
  TASKWARDEN_PORT: '',
  TASKWARDEN_DATA: '',
  TASKWARDEN_CONFIG: '',
};

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to standard input, which is then closed. */
  input?: string;
  /** Another path to the entry script (a link, as npx runs it); default BIN. */
  bin?: string;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], {
    env: cliEnv({ ...CLEAN_ENV, ...opts.env }),
    cwd: opts.cwd,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the first match of `pattern` in the output (stdout and stderr), or rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startCli(args: string[], opts: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], {
    env: cliEnv({ ...CLEAN_ENV, ...opts.env }),
    cwd: opts.cwd,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (d: Buffer) => {
    output += d;
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor(pattern, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match) return;
          cleanup();
          resolve(match);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${ms} ms; output:\n${output}`));
        }, ms);
        const onExit = () => {
          cleanup();
          reject(new Error(`exited before ${pattern}; output:\n${output}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.on('exit', onExit);
        check();
        if (listeners.has(check) && (child.exitCode !== null || child.signalCode !== null)) onExit();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or throws after `ms`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${last})` : ''}`);
}
