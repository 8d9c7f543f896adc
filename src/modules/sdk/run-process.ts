/**
 * Runs one program without a shell and streams its output as lines. Shared by the server
 * half of the `command` module and the agent runtime, so it knows nothing of jobs or stores.
 *
 * The child starts in its own process group (detached), so stopping it kills everything it
 * spawned too: `sh -c 'sleep 30 & sleep 30'` leaves nothing behind.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { type Clock, systemClock } from '../../core/clock.ts';
import type { LogStream } from '../../core/model.ts';

export interface RunProcessOptions {
  /** argv[0] is the program (looked up in PATH unless absolute); each element is one argument. */
  argv: readonly string[];
  /** Added to the minimal environment every program gets (names checked by the catalog). */
  env?: Readonly<Record<string, string>>;
  /** Written to the program's standard input, followed by a newline; then EOF (at once without it). */
  stdin?: string;
  onLine(stream: LogStream, line: string): void;
  /** Aborting kills the whole process tree: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal?: AbortSignal;
  maxLines?: number;
  maxBytes?: number;
  killGraceMs?: number;
  cwd?: string;
  clock?: Clock;
  /**
   * A server job's program: `env` marks it (added last, after the safe environment), and
   * `started` records its group once spawned. The outcome waits for that record; when it
   * fails, the program is stopped and the outcome says why.
   */
  tracking?: { env: Readonly<Record<string, string>>; started(pid: number): Promise<void> };
}

export interface ProcessOutcome {
  /** null when the program did not start or was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Output went past the cap; the rest was read and dropped. */
  truncated: boolean;
  /** Stopped because `signal` aborted. */
  aborted: boolean;
  /** Why the program could not be started, if it could not. */
  error?: string;
}

export const DEFAULT_MAX_LINES = 5000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_KILL_GRACE_MS = 5000;
/** A "line" with no newline in sight is cut here, so one endless line cannot fill memory. */
const MAX_LINE_LENGTH = 64 * 1024;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Only what programs need to run; nothing of the server's environment (tokens, DB URLs) leaks. */
function safeEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] || DEFAULT_PATH, LANG: 'C.UTF-8', HOME: process.env['HOME'] || '/' };
}

export function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  const { argv, signal } = options;
  const clock = options.clock ?? systemClock;
  const output = new OutputCap(
    options.onLine,
    options.maxLines ?? DEFAULT_MAX_LINES,
    options.maxBytes ?? DEFAULT_MAX_BYTES,
  );
  if (signal?.aborted) return Promise.resolve({ exitCode: null, signal: null, truncated: false, aborted: true });

  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      shell: false,
      detached: true,
      stdio: 'pipe',
      env: { ...options.env, ...safeEnv(), ...options.tracking?.env },
      cwd: options.cwd,
    });
    const closed = new AbortController();
    let aborted = false;
    let settled = false;
    let unrecorded: string | undefined;
    const recorded = track(child.pid);
    const finish = (outcome: Omit<ProcessOutcome, 'truncated' | 'aborted'>) => {
      if (settled) return;
      settled = true;
      closed.abort();
      signal?.removeEventListener('abort', stop);
      void recorded.then(() =>
        resolve({ ...outcome, ...(unrecorded ? { error: unrecorded } : {}), truncated: output.truncated, aborted }),
      );
    };

    /** A program whose group cannot be recorded does not run on unseen: it is stopped. */
    async function track(pid: number | undefined): Promise<void> {
      if (!options.tracking || pid === undefined) return;
      try {
        await options.tracking.started(pid);
      } catch (err) {
        unrecorded = `stopped: its process group could not be recorded (${err instanceof Error ? err.message : String(err)})`;
        output.info(unrecorded);
        void stop();
      }
    }

    // A program that exits without reading its input breaks the pipe: that is its business.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin === undefined ? undefined : `${options.stdin}\n`);
    const stdout = new LineSplitter((line) => output.push('stdout', line));
    const stderr = new LineSplitter((line) => output.push('stderr', line));
    // Past the cap the pipes are still read (a blocked writer would never exit) but not decoded.
    child.stdout.on('data', (chunk: Buffer) => output.truncated || stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.truncated || stderr.write(chunk));

    child.on('error', (err: NodeJS.ErrnoException) => {
      const message = spawnErrorMessage(argv[0] as string, err);
      output.info(message);
      finish({ exitCode: null, signal: null, error: message });
    });
    child.on('close', (exitCode, exitSignal) => {
      stdout.end();
      stderr.end();
      finish({ exitCode, signal: exitSignal });
    });

    async function stop() {
      const pid = child.pid;
      if (pid === undefined || settled) return;
      aborted = true;
      killGroup(pid, 'SIGTERM');
      await clock.sleep(options.killGraceMs ?? DEFAULT_KILL_GRACE_MS, closed.signal);
      // Even after the leader closed, a member that ignored SIGTERM (and let go of the pipes) may live on.
      if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}

function spawnErrorMessage(program: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return `cannot run "${program}": program not found`;
  if (err.code === 'EACCES') return `cannot run "${program}": permission denied`;
  return `cannot run "${program}": ${err.message}`;
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone, which is what we want.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Bytes in, whole lines out: keeps partial lines and split UTF-8 sequences until the rest arrives. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly emit: (line: string) => void) {}

  write(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      this.emit(stripCr(this.pending.slice(0, newline)));
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
    }
    while (this.pending.length > MAX_LINE_LENGTH) {
      this.emit(this.pending.slice(0, MAX_LINE_LENGTH));
      this.pending = this.pending.slice(MAX_LINE_LENGTH);
    }
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.emit(stripCr(this.pending));
    this.pending = '';
  }
}

const stripCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

/** Passes lines on until the run's line or byte budget is spent, then says so once and drops the rest. */
class OutputCap {
  truncated = false;
  private lines = 0;
  private bytes = 0;

  constructor(
    private readonly onLine: (stream: LogStream, line: string) => void,
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {}

  push(stream: LogStream, line: string): void {
    if (this.truncated) return;
    const size = Buffer.byteLength(line) + 1;
    if (this.lines >= this.maxLines || this.bytes + size > this.maxBytes) {
      this.truncated = true;
      this.onLine('info', `[output truncated after ${this.lines} lines]`);
      return;
    }
    this.lines++;
    this.bytes += size;
    this.onLine(stream, line);
  }

  info(line: string): void {
    this.onLine('info', line);
  }
}
