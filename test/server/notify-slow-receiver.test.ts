// A receiver that never answers, or is not there at all, must cost the engine nothing: runs
// end as fast as without notifications, the hanging sends time out (5 s) and are retried,
// another channel's messages still go, and shutdown does not wait for them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { eventually, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/** Far below the send timeout (5 s): a run that waited for one send would exceed it. */
const RUN_BOUND_MS = 4_000;

describe('slow and dead receivers', () => {
  let h: ServerHarness;
  let hanging: WebhookReceiver;
  let good: WebhookReceiver;
  let admin: string;

  before(async () => {
    // Three senders only: two hanging channels that held them all would stop every other channel.
    h = await startServerHarness({ notify: { digestWindowMs: 0, concurrency: 3, timeoutMs: 5_000 } });
    [hanging, good] = [await startWebhookReceiver('/hang'), await startWebhookReceiver('/good')];
    hanging.answers.push(...Array<'hang'>(1000).fill('hang'));
    const org = await h.createOrg('acme');
    admin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
  });
  after(async () => {
    await hanging.close();
    await good.close();
  });

  const as = (method: string, url: string, body?: unknown, status = 200) =>
    h.expect(status, method, url, { token: admin, ...(body === undefined ? {} : { body }) });
  const task = (name: string, channels: string[]) => ({
    name,
    concurrency: 'allow',
    jobs: [{ name: 'work', module: 'noop', params: {}, targets: { server: true } }],
    notify: [{ on: ['finished'], channels }],
  });

  test('runs end at full speed while their receivers hang or are gone', async () => {
    for (const [name, url] of [
      ['hang-1', hanging.url],
      ['hang-2', `${hanging.url}/2`],
      ['dead', 'http://127.0.0.1:9/hook'],
    ]) {
      await as('POST', '/api/v1/channels', { name, kind: 'webhook', url }, 201);
    }
    const made = (await as('POST', '/api/v1/tasks', task('busy', ['hang-1', 'hang-2', 'dead']), 201)).json;
    const took: number[] = [];
    for (let i = 0; i < 8; i++) {
      const started = performance.now();
      const run = (await as('POST', `/api/v1/tasks/${made.id}/runs?wait=10`)).json;
      took.push(performance.now() - started);
      assert.equal(run.status, 'finished');
    }
    assert.ok(
      took.every((ms) => ms < RUN_BOUND_MS),
      `runs took ${took.map(Math.round).join(', ')} ms`,
    );
    assert.ok(hanging.received.length > 0, 'the hanging receiver was called meanwhile');
    const channels = (await as('GET', '/api/v1/channels')).json.items as { id: string; name: string }[];
    const logOf = async (name: string) =>
      (await as('GET', `/api/v1/channels/${channels.find((c) => c.name === name)?.id}/deliveries`)).json.items;
    const timedOut = await eventually('a hanging send to time out', async () =>
      (await logOf('hang-1')).find((d: { lastError: string | null }) => d.lastError !== null),
    );
    assert.equal(timedOut.lastError, 'no answer within 5 s');
    assert.equal(timedOut.status, 'retrying');
    const refused = await eventually('the dead receiver to be tried', async () =>
      (await logOf('dead')).find((d: { lastError: string | null }) => d.lastError !== null),
    );
    assert.equal(refused.lastError, 'connection refused by 127.0.0.1:9');
  });

  test("a hanging channel holds one sender: another channel's message goes at once", async () => {
    await as('POST', '/api/v1/channels', { name: 'good', kind: 'webhook', url: good.url }, 201);
    const made = (await as('POST', '/api/v1/tasks', task('quick', ['good']), 201)).json;
    const run = (await as('POST', `/api/v1/tasks/${made.id}/runs?wait=10`)).json;
    const [call] = await good.waitFor(1, 10_000);
    const late = (call?.at ?? 0) - Date.parse(run.finishedAt);
    assert.ok(late < RUN_BOUND_MS, `delivered ${late} ms after the run ended, behind hanging sends`);
  });

  test('shutting down does not wait for hanging sends past its grace', async () => {
    const started = performance.now();
    await h.cleanup(); // engine.stop(1000)
    const took = performance.now() - started;
    assert.ok(took < 4_000, `cleanup took ${Math.round(took)} ms`);
  });
});
