// The agent half of `command`: runs the argv the server rendered (the job's payload) with
// no shell, streams its lines, maps the exit to ok/ko, refuses a malformed payload, and
// kills the program's whole tree when the job is stopped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import type { AgentJobContext } from '../../src/core/ports/module.ts';
import { commandModule } from '../../src/modules/command/index.ts';
import type { CommandParams } from '../../src/modules/command/schema.ts';
import { type LoggedLine, waitUntil } from './job-context.ts';

function agentContext(payload: unknown, signal = new AbortController().signal) {
  const logs: LoggedLine[] = [];
  const clock = new FakeClock();
  const ctx: AgentJobContext<CommandParams> = {
    params: { command: 'probe', args: {} },
    payload,
    jobstate: { id: 'js-1', attempt: 1, timeoutSeconds: 60 },
    signal,
    clock,
    pausedSince: () => 0,
    log: (line, stream = 'info') => logs.push({ stream, line }),
    progress: () => {},
    fetchFile: () => Promise.reject(new Error('unused')),
    dataDir: '/nonexistent',
    packageRoot: '/nonexistent',
  };
  return { ctx, logs, clock, run: () => commandModule.agent!.run(ctx as never) };
}

describe('command module, agent half', () => {
  test('runs the rendered argv as given (no shell): "$(id)" reaches the program as text', async () => {
    const { run, logs } = agentContext({ command: 'probe', argv: ['echo', '$(id)', 'a b'], timeoutSeconds: 10 });
    assert.deepEqual(await run(), { ok: true, result: { exitCode: 0, signal: null, truncated: false } });
    assert.deepEqual(logs, [
      { stream: 'info', line: '$ echo "$(id)" "a b"' },
      { stream: 'stdout', line: '$(id) a b' },
    ]);
  });

  test('passes the env and stdin of the payload and masks its secrets in every line it logs', async () => {
    const { run, logs } = agentContext({
      command: 'probe',
      argv: ['sh', '-c', 'echo "$DB_PASSWORD"; read -r k; echo "key=$k"', 'sh', 's3cret-arg'],
      timeoutSeconds: 10,
      env: { DB_PASSWORD: 'pa55word' },
      stdin: 'k3y-value',
      secrets: ['pa55word', 'k3y-value', 's3cret-arg'],
    });
    assert.equal((await run()).ok, true);
    assert.deepEqual(logs, [
      {
        stream: 'info',
        line: '$ DB_PASSWORD=*** sh -c "echo \\"$DB_PASSWORD\\"; read -r k; echo \\"key=$k\\"" sh *** <<< ***',
      },
      { stream: 'stdout', line: '***' },
      { stream: 'stdout', line: 'key=***' },
    ]);
  });

  test('a non-zero exit fails with module_failed', async () => {
    const { run, logs } = agentContext({ command: 'probe', argv: ['sh', '-c', 'exit 4'], timeoutSeconds: 10 });
    assert.deepEqual(await run(), {
      ok: false,
      reason: 'module_failed',
      result: { exitCode: 4, signal: null, truncated: false },
    });
    assert.equal(logs.at(-1)?.line, 'exited with code 4');
  });

  test('a payload that is not a rendered command is refused before anything runs', async () => {
    for (const payload of [null, { command: 'probe', argv: [], timeoutSeconds: 1 }, { argv: ['true'] }]) {
      const { run, logs } = agentContext(payload);
      const outcome = await run();
      assert.equal(outcome.ok, false);
      assert.equal(outcome.reason, 'module_failed');
      assert.match(logs[0]?.line ?? '', /the server sent no runnable command \(payload/);
    }
  });

  test("the catalog's timeout (in the payload) stops the program on the job's clock", async () => {
    const { run, clock, logs } = agentContext({ command: 'probe', argv: ['sleep', '30'], timeoutSeconds: 5 });
    const outcome = run();
    await waitUntil(() => clock.sleeping > 0, 'the timeout sleep');
    clock.advance(5000);
    assert.equal((await outcome).reason, 'timeout');
    assert.match(logs.at(-1)?.line ?? '', /ran longer than its timeout of 5s/);
  });

  test('stopping the job stops the program (by signal) and leaves the reason to the runtime', async () => {
    const stop = new AbortController();
    const { run } = agentContext(
      { command: 'probe', argv: ['sh', '-c', 'sleep 30 & sleep 30'], timeoutSeconds: 60 },
      stop.signal,
    );
    const outcome = run();
    setTimeout(() => stop.abort('cancelled'), 100);
    const result = await outcome;
    assert.equal(result.ok, false);
    assert.equal(result.reason, undefined);
    assert.notEqual((result.result as { signal: string | null }).signal, null);
  });
});
