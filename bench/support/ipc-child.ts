// Bench child processes spoken to over IPC (request → reply, matched by id, each bounded in
// time), started with the file limit raised to its hard limit: `ulimit -n` is per process,
// and a server or a client process holding thousands of connections needs more than the
// usual soft 1,024. The parent side is `forkBenchChild`, the child side `answerParent`.
import { type ChildProcess, spawn } from 'node:child_process';
import { within } from './limits.ts';

type Message = Record<string, unknown>;

export interface BenchChild {
  pid: number;
  /** Sends `message` and resolves with the child's answer to it, or fails after `limitMs`. */
  request<T>(message: Message, limitMs: number): Promise<T>;
  /** The end of what the child wrote on stderr (kept for error messages). */
  stderrTail(): string;
  /** SIGKILL: bench children keep nothing that needs a clean stop. */
  kill(): void;
}

const live = new Set<ChildProcess>();
// A bench that fails half-way leaves no server nor client behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ChildOptions {
  /** Node's flags: a server is given those the repository starts the server with (SERVER_NODE_FLAGS), its ceiling too. */
  nodeFlags?: readonly string[];
  /** Where the child's stdout goes (a file descriptor, e.g. a server's log file); default the bench's own. */
  stdout?: number;
}

/** Runs `node <nodeFlags> --import tsx script args…` with the raised file limit and an IPC channel. */
export function forkBenchChild(script: string, args: string[], options: ChildOptions = {}): BenchChild {
  const raise = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const node = [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx'];
  const child = spawn('sh', ['-c', raise, 'sh', ...node, script, ...args], {
    stdio: ['ignore', options.stdout ?? 'inherit', 'pipe', 'ipc'],
  });
  live.add(child);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-4_000);
  });
  const pending = new Map<number, { resolve(reply: Message): void; reject(err: Error): void }>();
  child.on('message', ({ id, ...reply }: Message) => {
    pending.get(id as number)?.resolve(reply);
    pending.delete(id as number);
  });
  child.once('exit', (code, signal) => {
    live.delete(child);
    for (const waiter of pending.values())
      waiter.reject(new Error(`${script} exited (${code ?? signal}) before answering:\n${tail}`));
    pending.clear();
  });
  let nextId = 0;
  return {
    pid: child.pid as number,
    request<T>(message: Message, limitMs: number) {
      const id = nextId++;
      const answer = new Promise<Message>((resolve, reject) => pending.set(id, { resolve, reject }));
      child.send({ ...message, id });
      return within(`answer to ${String(message['type'])} from ${script}`, answer, limitMs, () => tail) as Promise<T>;
    },
    stderrTail: () => tail,
    kill: () => child.kill('SIGKILL'),
  };
}

/** Child side: answers each request with what its handler returns; exits when the parent goes. */
export function answerParent(handlers: Record<string, (message: Message) => unknown>): void {
  process.on('message', async (message: Message) => {
    const handler = handlers[message['type'] as string];
    try {
      if (!handler) throw new Error(`unknown request ${String(message['type'])}`);
      const answer = (await handler(message)) as Message | undefined;
      process.send?.({ ...answer, id: message['id'] });
    } catch (err) {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    }
  });
  process.once('disconnect', () => process.exit(0));
}
