import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import { commandModule } from '../../src/modules/command/index.ts';
import type { CommandParams } from '../../src/modules/command/schema.ts';
import { catalogEntry, catalogService } from './command-catalog.ts';
import { jobContext, waitUntil } from './job-context.ts';

const catalog = [
  catalogEntry({
    name: 'greet',
    argv: ['sh', '-c', 'echo "hello $1"; echo "to stderr" >&2', 'greet', '{who}'],
    params: { who: { type: 'string', pattern: '^[a-z]+$' } },
  }),
  catalogEntry({
    name: 'fail',
    argv: ['sh', '-c', 'echo failing; exit "$1"', 'fail', '{code}'],
    params: { code: { type: 'integer', minimum: 1, maximum: 255 } },
  }),
  catalogEntry({ name: 'slow', argv: ['sleep', '30'], timeout: '10s' }),
  catalogEntry({ name: 'agent-only', argv: ['true'], runsOn: 'agent' }),
  catalogEntry({ name: 'anywhere', argv: ['true'], runsOn: 'both' }),
  catalogEntry({ name: 'missing-program', argv: ['taskwarden-no-such-program'] }),
  catalogEntry({
    name: 'login',
    argv: ['sh', '-c', 'echo "$DB_USER:$1"; read -r t; echo "token $t" >&2', 'login', '{password}'],
    params: {
      password: { type: 'string', secret: true },
      user: { type: 'string', env: 'DB_USER' },
      token: { type: 'string', secret: true, stdin: true },
    },
    runsOn: 'both',
  }),
];

function execute(params: unknown, options: Parameters<typeof jobContext>[1] = {}) {
  const { commands, resolved } = catalogService(catalog);
  const parsed = commandModule.parseParams(params, 'params');
  const { ctx, logs, clock } = jobContext<CommandParams>(parsed, { ...options, services: { commands } });
  return { outcome: commandModule.execute!(ctx), logs, clock, resolved };
}

describe('command module', () => {
  test('is defined through the SDK: runs on both, parallelizable, params checked', () => {
    assert.deepEqual(
      [commandModule.name, commandModule.runsOn, commandModule.parallelizable],
      ['command', 'both', true],
    );
    assert.deepEqual(commandModule.parseParams({ command: 'greet' }, 'params'), { command: 'greet', args: {} });
    assert.throws(() => commandModule.parseParams({}, 'jobs[0].params'), { field: 'jobs[0].params.command' });
    assert.throws(() => commandModule.parseParams({ command: 'x', argv: ['rm'] }, 'p'), ValidationError);
    assert.throws(() => commandModule.parseParams({ command: 'Bad Name' }, 'p'), { field: 'p.command' });
  });

  test('runs the command, logging stdout and stderr lines; exit 0 is ok', async () => {
    const run = execute({ command: 'greet', args: { who: 'world' } });
    const outcome = await run.outcome;
    assert.deepEqual(outcome, {
      done: true,
      ok: true,
      result: { exitCode: 0, signal: null, truncated: false },
    });
    assert.deepEqual(run.resolved, [['org-1', 'greet']]);
    assert.deepEqual(run.logs[0], {
      stream: 'info',
      line: '$ sh -c "echo \\"hello $1\\"; echo \\"to stderr\\" >&2" greet world',
    });
    // stdout and stderr are separate pipes: their relative order is not defined.
    const of = (stream: string) => run.logs.filter((l) => l.stream === stream).map((l) => l.line);
    assert.deepEqual([of('stdout'), of('stderr'), run.logs.length], [['hello world'], ['to stderr'], 3]);
  });

  test('passes env and stdin params, and logs every secret value as ***', async () => {
    const run = execute({ command: 'login', args: { password: 'pa55word', user: 'ops', token: 't0ken' } });
    assert.deepEqual(await run.outcome, {
      done: true,
      ok: true,
      result: { exitCode: 0, signal: null, truncated: false },
    });
    const of = (stream: string) => run.logs.filter((l) => l.stream === stream).map((l) => l.line);
    assert.deepEqual(of('info'), [
      '$ DB_USER=ops sh -c "echo \\"$DB_USER:$1\\"; read -r t; echo \\"token $t\\" >&2" login *** <<< ***',
    ]);
    assert.deepEqual([of('stdout'), of('stderr')], [['ops:***'], ['token ***']]);
  });

  test('the payload for an agent carries env, stdin and the values to mask only when the command has them', async () => {
    const { commands } = catalogService(catalog);
    const payload = (params: CommandParams) =>
      commandModule.payload!({ params, jobstate: { orgId: 'org-1' } as never, services: { commands } as never });
    assert.deepEqual(await payload({ command: 'anywhere', args: {} }), {
      command: 'anywhere',
      argv: ['true'],
      timeoutSeconds: 300,
    });
    assert.deepEqual(await payload({ command: 'login', args: { password: 'pa55word', user: 'ops', token: 't0ken' } }), {
      command: 'login',
      argv: catalog.find((c) => c.name === 'login')?.argv.map((a) => (a === '{password}' ? 'pa55word' : a)),
      timeoutSeconds: 300,
      env: { DB_USER: 'ops' },
      stdin: 't0ken',
      secrets: ['pa55word', 't0ken'],
    });
  });

  test('a non-zero exit code fails with module_failed and the code in the result', async () => {
    const run = execute({ command: 'fail', args: { code: 3 } });
    const outcome = await run.outcome;
    assert.deepEqual(outcome, {
      done: true,
      ok: false,
      reason: 'module_failed',
      result: { exitCode: 3, signal: null, truncated: false },
    });
    assert.deepEqual(
      run.logs.slice(1).map((l) => l.line),
      ['failing', 'exited with code 3'],
    );
  });

  test('an unknown command fails and says so in the log', async () => {
    const run = execute({ command: 'nope' });
    const outcome = await run.outcome;
    assert.deepEqual(
      [outcome.done, outcome.done && outcome.ok, outcome.done && outcome.reason],
      [true, false, 'module_failed'],
    );
    assert.deepEqual(run.logs, [{ stream: 'info', line: 'command "nope" is not in the catalog' }]);
  });

  test('a command for agents only is refused on the server; one for both runs', async () => {
    const refused = execute({ command: 'agent-only' });
    assert.deepEqual(await refused.outcome, {
      done: true,
      ok: false,
      reason: 'module_failed',
      result: { exitCode: null, error: 'command "agent-only" runs on agents only, not on the server' },
    });
    assert.match(refused.logs[0]?.line ?? '', /runs on agents only/);
    assert.deepEqual(await execute({ command: 'anywhere' }).outcome, {
      done: true,
      ok: true,
      result: { exitCode: 0, signal: null, truncated: false },
    });
  });

  test('arguments that break the catalog schema are refused before anything runs', async () => {
    const run = execute({ command: 'greet', args: { who: 'World; id' } });
    const outcome = await run.outcome;
    assert.equal(outcome.done && outcome.reason, 'module_failed');
    assert.deepEqual(
      run.logs.map((l) => l.line),
      ['command "greet": args.who: must match pattern "^[a-z]+$"'],
    );
  });

  test('a program that does not exist fails with a clear message', async () => {
    const run = execute({ command: 'missing-program' });
    const outcome = await run.outcome;
    assert.equal(outcome.done && outcome.reason, 'module_failed');
    assert.ok(run.logs.some((l) => l.line === 'cannot run "taskwarden-no-such-program": program not found'));
  });

  test("the catalog's timeout stops the program (on the engine's clock)", async () => {
    const run = execute({ command: 'slow' });
    await waitUntil(() => run.logs.length > 0, 'the program to start');
    run.clock.advance(10_000);
    const outcome = await run.outcome;
    assert.equal(outcome.done && outcome.reason, 'timeout');
    assert.equal(outcome.done && (outcome.result as { signal: string }).signal, 'SIGTERM');
    assert.equal(run.logs.at(-1)?.line, 'stopped: "slow" ran longer than its timeout of 10s');
  });

  test('an aborted job stops the program and leaves the reason to the engine', async () => {
    const controller = new AbortController();
    const run = execute({ command: 'slow' }, { signal: controller.signal });
    await waitUntil(() => run.logs.length > 0, 'the program to start');
    controller.abort();
    const outcome = await run.outcome;
    assert.equal(outcome.done, true);
    assert.equal(outcome.done && outcome.ok, false);
    assert.equal(outcome.done && outcome.reason, undefined);
  });

  test('summarize counts ok and failed targets', () => {
    const js = (status: 'finished' | 'error' | 'running') => ({
      job: 'j',
      agentId: null,
      status,
      reason: null,
      result: {},
    });
    assert.deepEqual(commandModule.summarize!([js('finished'), js('finished'), js('error'), js('running')]), {
      details: '2 ok, 1 failed, 1 pending',
    });
  });
});
