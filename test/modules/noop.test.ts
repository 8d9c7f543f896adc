import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExecuteOutcome } from '../../src/core/ports/module.ts';
import { noop, noopSerial } from '../../src/modules/noop/index.ts';
import type { NoopParams } from '../../src/modules/noop/schema.ts';
import { jobContext } from './job-context.ts';

const parse = (params: unknown) => noop.parseParams(params, 'params');

describe('noop modules', () => {
  test('noop and noop-serial share everything but the name and parallelizable', () => {
    assert.deepEqual([noop.name, noop.parallelizable], ['noop', true]);
    assert.deepEqual([noopSerial.name, noopSerial.parallelizable], ['noop-serial', false]);
    assert.equal(noopSerial.paramsSchema, noop.paramsSchema);
    assert.deepEqual(parse({}), { chunks: 1, failTimes: 0, sleepMs: 0 });
  });

  test('rejects bad params naming the field', () => {
    assert.throws(() => parse({ chunks: 0 }), { field: 'params.chunks' });
    assert.throws(() => parse({ sleepMs: 600001 }), { field: 'params.sleepMs' });
    assert.throws(() => parse({ failTimes: '2' }), { field: 'params.failTimes' });
    assert.throws(() => parse({ shout: true }), { field: 'params.shout' });
  });

  test('does one chunk per execute, with a checkpoint in between', async () => {
    const params = parse({ chunks: 3, log: 'working' });
    const outcomes: ExecuteOutcome[] = [];
    const lines: string[] = [];
    let checkpoint: unknown;
    do {
      const { ctx, logs } = jobContext<NoopParams>(params, { checkpoint });
      const outcome = await noop.execute!(ctx);
      outcomes.push(outcome);
      lines.push(...logs.map((l) => `${l.stream}: ${l.line}`));
      checkpoint = outcome.done ? undefined : outcome.checkpoint;
    } while (checkpoint !== undefined);
    assert.deepEqual(outcomes, [
      { done: false, checkpoint: { done: 1 } },
      { done: false, checkpoint: { done: 2 } },
      { done: true, ok: true, result: { chunks: 3, attempt: 1 } },
    ]);
    assert.deepEqual(lines, [
      'stdout: working',
      'info: chunk 1/3',
      'stdout: working',
      'info: chunk 2/3',
      'stdout: working',
      'info: chunk 3/3',
    ]);
  });

  test('fails the first failTimes attempts; onError hands the retry changed params', async () => {
    let params = parse({ failTimes: 2 });
    const results: ExecuteOutcome[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { ctx } = jobContext<NoopParams>(params, { attempt });
      const outcome = await noop.execute!(ctx);
      results.push(outcome);
      if (outcome.done && !outcome.ok) {
        params = noop.onError!({ params, attempt, reason: 'module_failed', result: outcome.result }) ?? params;
      }
    }
    assert.deepEqual(results, [
      { done: true, ok: false, reason: 'module_failed', result: { attempt: 1 } },
      { done: true, ok: false, reason: 'module_failed', result: { attempt: 2 } },
      { done: true, ok: true, result: { chunks: 1, attempt: 3, retried: 2 } },
    ]);
    // The changed params are valid params: the engine may store and parse them again.
    assert.deepEqual(parse(params), { chunks: 1, failTimes: 2, sleepMs: 0, retried: 2 });
  });

  test('sleeps on the engine clock', async () => {
    const { ctx, clock } = jobContext<NoopParams>(parse({ sleepMs: 5000 }));
    let settled = false;
    const outcome = noop.execute!(ctx).then((o) => {
      settled = true;
      return o;
    });
    clock.advance(4999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    clock.advance(1);
    assert.deepEqual(await outcome, { done: true, ok: true, result: { chunks: 1, attempt: 1 } });
  });

  test('an abort during the sleep returns the checkpoint without counting the chunk', async () => {
    const controller = new AbortController();
    const { ctx } = jobContext<NoopParams>(parse({ chunks: 5, sleepMs: 60000 }), {
      signal: controller.signal,
      checkpoint: { done: 2 },
    });
    const outcome = noop.execute!(ctx);
    controller.abort();
    assert.deepEqual(await outcome, { done: false, checkpoint: { done: 2 } });
  });

  test('summarize counts outcomes', () => {
    const js = (status: 'finished' | 'error' | 'skipped') => ({
      job: 'j',
      agentId: null,
      status,
      reason: null,
      result: null,
    });
    assert.deepEqual(noop.summarize!([js('finished'), js('error'), js('skipped')]), {
      details: '1 ok, 1 failed, 1 not run',
    });
  });
});
