// Notifications end to end over the API, with a webhook receiver on 127.0.0.1: each run end
// reaches it once, signed; a 500 is retried with the same delivery id; `changed` tells only
// changes; a digest window merges what ends within it; org default rules; the delivery log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import {
  eventually,
  type Received,
  runIdsOf,
  signedWith,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver.ts';

const SECRET = 'correct horse battery staple';

/** A manual task of one server job that fails (module_failed) or finishes. */
export function noopTask(name: string, fail: boolean, extra: Record<string, unknown> = {}) {
  return {
    name,
    jobs: [{ name: 'work', module: 'noop', params: { failTimes: fail ? 1 : 0 }, targets: { server: true } }],
    ...extra,
  };
}

describe('notifications', () => {
  let h: ServerHarness;
  let receiver: WebhookReceiver;
  let admin: string;
  let orgId: string;

  before(async () => {
    h = await startServerHarness({ notify: { digestWindowMs: 0, retryFirstMs: 300 } });
    receiver = await startWebhookReceiver();
    const org = await h.createOrg('acme');
    orgId = org.id;
    admin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
  });
  after(async () => {
    await h.cleanup();
    await receiver.close();
  });

  const as = (method: string, url: string, body?: unknown, status = 200) =>
    h.expect(status, method, url, { token: admin, ...(body === undefined ? {} : { body }) });
  let names = 0;
  /** A webhook channel to the receiver (its own path, so each test counts its own calls). */
  async function hook(extra: Record<string, unknown> = {}): Promise<{ id: string; name: string; calls(): Received[] }> {
    const name = `hook-${++names}`;
    const channel = (
      await as(
        'POST',
        '/api/v1/channels',
        { name, kind: 'webhook', url: `${receiver.url}/${name}`, secret: SECRET, ...extra },
        201,
      )
    ).json;
    const path = new URL(`${receiver.url}/${name}`).pathname;
    return { ...channel, name, calls: () => receiver.received.filter((r) => r.path === path) };
  }
  async function run(taskId: string, status: string) {
    const reply = await as('POST', `/api/v1/tasks/${taskId}/runs?wait=10`);
    assert.equal(reply.json.status, status);
    return reply.json;
  }
  async function deliveries(channelId: string) {
    return (await as('GET', `/api/v1/channels/${channelId}/deliveries`)).json.items;
  }

  test('a channel body with a field a channel has not is 400 naming it, and writes nothing', async () => {
    const body = { name: 'strict', kind: 'email', to: ['ops@example.org'], cc: ['boss@example.org'] };
    const refused = await as('POST', '/api/v1/channels', body, 400);
    assert.equal(refused.json.error.message, 'cc: is not a known field');
    const channels = (await as('GET', '/api/v1/channels')).json.items as Array<{ name: string }>;
    assert.ok(!channels.some((c) => c.name === 'strict'));
    const channel = await hook();
    const change = await as('PATCH', `/api/v1/channels/${channel.id}`, { url: receiver.url, method: 'PUT' }, 400);
    assert.equal(change.json.error.message, 'method: is not a known field');
  });

  test('a run end reaches the receiver exactly once, signed, with the run, its counts and failed targets', async () => {
    const channel = await hook();
    const task = (
      await as(
        'POST',
        '/api/v1/tasks',
        noopTask('nightly', true, { notify: [{ on: ['error'], channels: [channel.name] }] }),
        201,
      )
    ).json;
    const ended = await run(task.id, 'error');
    const [delivered] = await eventually('the delivery to be delivered', async () => {
      const items = await deliveries(channel.id);
      return items[0]?.status === 'delivered' ? items : null;
    });
    // A few more passes of the delivery loop: nothing is sent again.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const calls = channel.calls();
    assert.equal(calls.length, 1, 'one call per event');
    const [call] = calls as [Received];
    assert.ok(signedWith(call, SECRET), 'X-Taskwarden-Signature is the HMAC of the body');
    assert.equal(signedWith(call, 'another secret'), false);
    assert.equal(call.headers['x-taskwarden-delivery'], delivered.id);
    assert.equal(call.headers['x-taskwarden-event'], 'run.error');
    assert.equal(call.headers['content-type'], 'application/json');
    const body = call.json;
    assert.equal(body.event, 'run.error');
    assert.deepEqual(body.task, { id: task.id, name: 'nightly' });
    assert.equal(body.run.id, ended.id);
    assert.equal(body.run.status, 'error');
    assert.equal(body.run.reason, 'manual');
    assert.equal(body.run.completion, 100);
    assert.equal(body.run.counts.error, 1);
    assert.equal(body.run.finishedAt, ended.finishedAt);
    assert.equal(body.run.url, `http://taskwarden.test/#/runs/${ended.id}`);
    assert.deepEqual(body.failed, [{ agent: 'server', agentId: null, job: 'work', reason: 'module_failed' }]);
    assert.equal(body.failedTotal, 1);
    assert.match(body.summary, /^nightly: run ended in error \(1 of 1 targets failed\)$/);
    assert.match(body.line, /nightly — .* — completion 100 % — error$/);
    assert.deepEqual(
      { status: delivered.status, attempts: delivered.attempts, event: delivered.event, runs: delivered.runs },
      {
        status: 'delivered',
        attempts: 1,
        event: 'run.error',
        runs: [{ id: ended.id, taskId: task.id, task: 'nightly', event: 'run.error' }],
      },
    );
  });

  test('a receiver answering 500 gets the same delivery again; the log shows the error meanwhile', async () => {
    const channel = await hook();
    const task = (
      await as(
        'POST',
        '/api/v1/tasks',
        noopTask('retried', true, { notify: [{ on: ['error'], channels: [channel.name] }] }),
        201,
      )
    ).json;
    receiver.answers.push(500, 500);
    await run(task.id, 'error');
    const retrying = await eventually('a retrying delivery', async () => {
      const [d] = await deliveries(channel.id);
      return d?.status === 'retrying' ? d : null;
    });
    assert.match(retrying.lastError, /^HTTP 500: receiver says no$/);
    assert.ok(retrying.nextAttemptAt, 'it says when it is tried again');
    const failed = await as('GET', `/api/v1/deliveries?status=retrying`);
    assert.ok(
      failed.json.items.some((d: { id: string }) => d.id === retrying.id),
      'the org-wide log lists it',
    );
    const done = await eventually('the delivery after its retries', async () => {
      const [d] = await deliveries(channel.id);
      return d?.status === 'delivered' ? d : null;
    });
    assert.equal(done.attempts, 3);
    assert.equal(done.lastError, null);
    const calls = channel.calls();
    assert.equal(calls.length, 3);
    assert.deepEqual(new Set(calls.map((c) => c.headers['x-taskwarden-delivery'])), new Set([done.id]));
    // Waits of 300 ms then 900 ms (retryFirstMs × 3^(attempts − 1)): lower bounds, which a
    // loaded machine only lengthens (comparing the two gaps fails when the first one is slowed).
    const [first, second, third] = calls.map((c) => (c as Received).at) as [number, number, number];
    assert.ok(second - first >= 290, `the first retry waits its 300 ms (${second - first} ms)`);
    assert.ok(third - second >= 890, `the second waits three times as long (${third - second} ms)`);
  });

  test('`changed` tells the first failure and the recovery, not the repeats', async () => {
    const channel = await hook();
    const rules = [{ on: ['error', 'finished'], channels: [channel.name], when: 'changed' }];
    const task = (await as('POST', '/api/v1/tasks', noopTask('flaky', true, { notify: rules }), 201)).json;
    const setFailing = (fail: boolean) =>
      as('PUT', `/api/v1/tasks/${task.id}`, noopTask('flaky', fail, { notify: rules }));
    const told: string[] = [];
    for (const fail of [true, true, false, false, true]) {
      await setFailing(fail);
      const ended = await run(task.id, fail ? 'error' : 'finished');
      told.push(ended.id);
    }
    await eventually('three deliveries', async () => {
      const items = await deliveries(channel.id);
      return items.length >= 3 && items.every((d: { status: string }) => d.status === 'delivered');
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = channel.calls().flatMap((c) => (c.json.event === 'digest' ? c.json.events : [c.json]));
    assert.deepEqual(
      events.map((e: { event: string; run: { id: string } }) => [e.event, e.run.id]),
      [
        ['run.error', told[0]],
        ['run.finished', told[2]],
        ['run.error', told[4]],
      ],
    );
  });

  test('org default rules apply to tasks without rules of their own; `notify: []` opts out', async () => {
    const channel = await hook();
    await as('PUT', `/api/v1/orgs/${orgId}/notify`, { notify: [{ on: ['finished'], channels: [channel.name] }] });
    assert.deepEqual((await as('GET', `/api/v1/orgs/${orgId}`)).json.notify, [
      { on: ['finished'], channels: [channel.name], when: 'always' },
    ]);
    const plain = (await as('POST', '/api/v1/tasks', noopTask('plain', false), 201)).json;
    assert.equal(plain.notify, undefined);
    const silent = (await as('POST', '/api/v1/tasks', noopTask('silent', false, { notify: [] }), 201)).json;
    assert.deepEqual(silent.notify, []);
    const told = await run(plain.id, 'finished');
    await run(silent.id, 'finished');
    await eventually('the default rule', async () => channel.calls().length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(channel.calls().flatMap(runIdsOf), [told.id]);
    await as('PUT', `/api/v1/orgs/${orgId}/notify`, { notify: [] });
  });

  test('saving rules that name a channel the org does not have is 400 naming the field, and changes nothing', async () => {
    const bad = await h.call('POST', '/api/v1/tasks', {
      token: admin,
      body: noopTask('typo', true, { notify: [{ on: ['error'], channels: ['nope'] }] }),
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'invalid_input');
    assert.match(bad.json.error.message, /^notify\[0\]\.channels\[0\]: no channel named "nope"/);
    assert.equal(bad.json.error.details.field, 'notify[0].channels[0]');
    const badOn = await h.call('POST', '/api/v1/tasks', {
      token: admin,
      body: noopTask('typo', true, { notify: [{ on: ['error', 'exploded'], channels: ['x'] }] }),
    });
    assert.equal(badOn.status, 400);
    assert.match(
      badOn.json.error.message,
      /^notify\[0\]\.on\[1\]: must be one of error, halted, missed, timeout, finished/,
    );
    const defaults = await h.call('PUT', `/api/v1/orgs/${orgId}/notify`, {
      token: admin,
      body: { notify: [{ on: ['error'], channels: ['nope'], when: 'sometimes' }] },
    });
    assert.equal(defaults.status, 400);
    assert.match(defaults.json.error.message, /^notify\[0\]\.when: must be one of always, changed/);
    assert.equal(await h.store.tasks.getByName(orgId, 'typo'), null);
  });
});

describe('digests', () => {
  let h: ServerHarness;
  let receiver: WebhookReceiver;
  let admin: string;

  before(async () => {
    h = await startServerHarness({ notify: { digestWindowMs: 3_000 } });
    receiver = await startWebhookReceiver();
    const org = await h.createOrg('acme');
    admin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
  });
  after(async () => {
    await h.cleanup();
    await receiver.close();
  });

  test('a run end goes at once; those within the window after it go together, as one digest', async () => {
    const as = (method: string, url: string, body?: unknown, status = 200) =>
      h.expect(status, method, url, { token: admin, ...(body === undefined ? {} : { body }) });
    const channel = (
      await as('POST', '/api/v1/channels', { name: 'ops', kind: 'webhook', url: receiver.url, secret: SECRET }, 201)
    ).json;
    const notify = [{ on: ['error'], channels: ['ops'] }];
    const task = (await as('POST', '/api/v1/tasks', noopTask('batch', true, { concurrency: 'allow', notify }), 201))
      .json;
    const first = (await as('POST', `/api/v1/tasks/${task.id}/runs?wait=10`)).json;
    const [single] = await receiver.waitFor(1);
    assert.equal(single?.json.event, 'run.error');
    assert.deepEqual(runIdsOf(single as Received), [first.id]);
    const later = await Promise.all(
      [1, 2, 3].map(async () => (await as('POST', `/api/v1/tasks/${task.id}/runs?wait=10`)).json.id as string),
    );
    const calls = await receiver.waitFor(2);
    const digest = calls[1] as Received;
    assert.ok(signedWith(digest, SECRET));
    assert.equal(digest.json.event, 'digest');
    assert.equal(digest.headers['x-taskwarden-event'], 'digest');
    assert.equal(digest.json.count, 3);
    assert.equal(digest.json.summary, '3 runs ended in error in the last 3 seconds');
    assert.deepEqual(digest.json.counts, { 'run.error': 3 });
    assert.deepEqual(runIdsOf(digest).sort(), later.sort());
    // The window opens when the first message was made (its delivery's creation).
    const log = (await as('GET', `/api/v1/channels/${channel.id}/deliveries`)).json.items;
    const opened = Date.parse(log[log.length - 1].createdAt);
    assert.ok(digest.at >= opened + 3_000, `sent ${digest.at - opened} ms after the first message`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(receiver.received.length, 2);
  });
});
