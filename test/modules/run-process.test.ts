import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import type { LogStream } from '../../src/core/model.ts';
import { type ProcessOutcome, type RunProcessOptions, runProcess } from '../../src/modules/sdk/run-process.ts';
import { waitUntil } from './job-context.ts';

type Line = [LogStream, string];

function start(argv: string[], options: Partial<RunProcessOptions> = {}) {
  const lines: Line[] = [];
  const done = runProcess({ argv, onLine: (stream, line) => lines.push([stream, line]), ...options });
  return { lines, done };
}

async function run(
  argv: string[],
  options: Partial<RunProcessOptions> = {},
): Promise<ProcessOutcome & { lines: Line[] }> {
  const { lines, done } = start(argv, options);
  return { ...(await done), lines };
}

/** A node one-liner as argv. */
const nodeScript = (script: string) => ['node', '-e', script];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runProcess', () => {
  test('splits output into lines across chunks: partial lines, CRLF, UTF-8 split mid-character', async () => {
    // Each write goes out in its own chunk (a pause between them), so the splitter sees the pieces.
    const script = `
      const parts = [Buffer.from('par'), Buffer.from('tial\\r\\nsecond\\n\\xc3', 'latin1'), Buffer.from([0xa9, 0x0a]), Buffer.from('no newline at end')];
      (function next() { const p = parts.shift(); if (!p) return; process.stdout.write(p); setTimeout(next, 30); })();`;
    const out = await run(nodeScript(script));
    assert.deepEqual(out.lines, [
      ['stdout', 'partial'],
      ['stdout', 'second'],
      ['stdout', 'é'],
      ['stdout', 'no newline at end'],
    ]);
    assert.deepEqual([out.exitCode, out.signal, out.truncated, out.aborted], [0, null, false, false]);
  });

  test('keeps stderr apart from stdout and passes empty lines', async () => {
    const out = await run(['sh', '-c', 'echo out; echo err >&2; echo; echo "  spaced  "']);
    assert.deepEqual(
      out.lines.filter(([s]) => s === 'stdout'),
      [
        ['stdout', 'out'],
        ['stdout', ''],
        ['stdout', '  spaced  '],
      ],
    );
    assert.deepEqual(
      out.lines.filter(([s]) => s === 'stderr'),
      [['stderr', 'err']],
    );
  });

  test('reports exit codes and deaths by signal', async () => {
    assert.equal((await run(['sh', '-c', 'exit 7'])).exitCode, 7);
    const killed = await run(['sh', '-c', 'kill -9 $$']);
    assert.deepEqual([killed.exitCode, killed.signal, killed.aborted], [null, 'SIGKILL', false]);
  });

  test('passes only a minimal environment', async () => {
    process.env['TASKWARDEN_SECRET_FOR_TEST'] = 'leak';
    try {
      const out = await run(nodeScript('console.log(Object.keys(process.env).sort().join(","))'));
      assert.deepEqual(out.lines, [['stdout', 'HOME,LANG,PATH']]);
    } finally {
      delete process.env['TASKWARDEN_SECRET_FOR_TEST'];
    }
  });

  test('adds the given variables to that environment, never over PATH, HOME or LANG', async () => {
    const out = await run(['sh', '-c', 'echo "$DB_PASSWORD|$PATH"'], { env: { DB_PASSWORD: 'pw', PATH: '/nowhere' } });
    assert.deepEqual(out.lines, [['stdout', `pw|${process.env['PATH']}`]]);
  });

  test('writes stdin (then a newline and EOF) when given; without it the program reads EOF at once', async () => {
    const given = await run(['sh', '-c', 'read -r line; echo "[$line]"; cat | wc -c'], { stdin: 'k3y value' });
    assert.deepEqual(given.lines, [
      ['stdout', '[k3y value]'],
      ['stdout', '0'],
    ]);
    assert.deepEqual((await run(['cat'])).lines, []);
    // A program that never reads its input still ends normally.
    assert.equal((await run(['true'], { stdin: 'x'.repeat(1 << 20) })).exitCode, 0);
  });

  test('a missing program resolves as a failure with a clear message', async () => {
    const out = await run(['taskwarden-no-such-program', 'x']);
    assert.equal(out.exitCode, null);
    assert.equal(out.error, 'cannot run "taskwarden-no-such-program": program not found');
    assert.deepEqual(out.lines, [['info', out.error]]);
  });

  test('caps the line count, says so once, and keeps draining so the program finishes', async () => {
    // 200,000 lines is far more than a pipe buffer: if the pipes were not drained this would hang.
    const out = await run(nodeScript('for (let i = 0; i < 200000; i++) console.log(i)'), { maxLines: 10 });
    assert.equal(out.lines.length, 11);
    assert.deepEqual(out.lines[9], ['stdout', '9']);
    assert.deepEqual(out.lines[10], ['info', '[output truncated after 10 lines]']);
    assert.deepEqual([out.exitCode, out.truncated], [0, true]);
  });

  test('caps the bytes too, whichever cap comes first', async () => {
    const out = await run(nodeScript('for (let i = 0; i < 100; i++) console.log("x".repeat(99))'), { maxBytes: 1000 });
    assert.equal(out.lines.length, 11);
    assert.deepEqual(out.lines[10], ['info', '[output truncated after 10 lines]']);
    assert.equal(out.truncated, true);
  });

  test('the default cap is 5,000 lines', async () => {
    const out = await run(nodeScript('for (let i = 0; i < 6000; i++) console.log(i)'));
    assert.equal(out.lines.length, 5001);
    assert.deepEqual(out.lines.at(-1), ['info', '[output truncated after 5000 lines]']);
  });

  test('abort kills the whole process tree', async () => {
    const controller = new AbortController();
    // sh prints its pid (= the process group id), then waits on two sleeps, one in the background.
    const { lines, done } = start(['sh', '-c', 'echo $$; sleep 30 & sleep 30; wait'], { signal: controller.signal });
    await waitUntil(() => lines.length > 0, 'the shell to print its pid');
    const pgid = Number(lines[0]?.[1]);
    const members = () =>
      execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter(([, group]) => group === pgid)
        .map(([pid]) => pid as number);
    await waitUntil(() => members().length === 3, 'sh and both sleeps');
    const pids = members();
    controller.abort();
    const outcome = await done;
    assert.deepEqual([outcome.aborted, outcome.signal], [true, 'SIGTERM']);
    await waitUntil(() => pids.every((pid) => !alive(pid)), 'every process of the tree to be gone', 10_000);
    assert.deepEqual(members(), []);
  });

  test('a tree that ignores SIGTERM gets SIGKILL once the grace period passes', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const { lines, done } = start(['sh', '-c', 'trap "" TERM; echo $$; sleep 30'], {
      signal: controller.signal,
      clock,
      killGraceMs: 5000,
    });
    await waitUntil(() => lines.length > 0, 'the shell to print its pid');
    const pid = Number(lines[0]?.[1]);
    controller.abort();
    // SIGTERM is ignored: still alive well after it was sent, since the fake clock has not moved.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(alive(pid));
    clock.advance(5000);
    const outcome = await done;
    assert.deepEqual([outcome.aborted, outcome.signal], [true, 'SIGKILL']);
    assert.equal(alive(pid), false);
  });

  test('an already aborted signal starts nothing', async () => {
    const out = await run(['sh', '-c', 'echo should not run'], { signal: AbortSignal.abort() });
    assert.deepEqual([out.aborted, out.exitCode, out.lines], [true, null, []]);
  });
});
