// Attacks on notifications: reading a channel's secret or destination without managing it,
// making channels without the role, reaching another org's channel (by id or by name in a
// rule), the global admin's channels, and webhook destinations the allow list refuses.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET_A = 'the secret of org A, never shown';

function noopTask(name: string, notify: unknown) {
  return { name, jobs: [{ name: 'work', module: 'noop', params: {}, targets: { server: true } }], notify };
}

describe('notification channels: who may do what', () => {
  let h: ServerHarness;
  let receiverA: WebhookReceiver;
  let receiverB: WebhookReceiver;
  const a = { id: '', admin: '', operator: '', viewer: '', channelId: '' };
  const b = { id: '', admin: '', operator: '' };

  before(async () => {
    h = await startServerHarness({ notify: { digestWindowMs: 0 } });
    [receiverA, receiverB] = [await startWebhookReceiver('/a'), await startWebhookReceiver('/b')];
    const orgA = await h.createOrg('org-a');
    const orgB = await h.createOrg('org-b');
    a.id = orgA.id;
    a.admin = (await h.createUser(orgA.id, 'a-admin', 'org-admin')).token;
    a.operator = (await h.createUser(orgA.id, 'a-operator', 'operator')).token;
    a.viewer = (await h.createUser(orgA.id, 'a-viewer', 'viewer')).token;
    b.id = orgB.id;
    b.admin = (await h.createUser(orgB.id, 'b-admin', 'org-admin')).token;
    b.operator = (await h.createUser(orgB.id, 'b-operator', 'operator')).token;
    const body = { name: 'a-only', kind: 'webhook', url: receiverA.url, secret: SECRET_A };
    a.channelId = (await h.expect(201, 'POST', '/api/v1/channels', { token: a.admin, body })).json.id;
  });
  after(async () => {
    await h.cleanup();
    await receiverA.close();
    await receiverB.close();
  });

  test('operators and viewers cannot make channels; they see names, never where they go nor the secret', async () => {
    for (const token of [a.operator, a.viewer]) {
      const made = await h.call('POST', '/api/v1/channels', {
        token,
        body: { name: 'sneaky', kind: 'webhook', url: receiverA.url },
      });
      assert.equal(made.status, 403);
      const one = (await h.expect(200, 'GET', `/api/v1/channels/${a.channelId}`, { token })).json;
      assert.deepEqual(Object.keys(one).sort(), ['createdAt', 'id', 'kind', 'name', 'orgId', 'updatedAt']);
      const list = await h.expect(200, 'GET', '/api/v1/channels', { token });
      assert.ok(!list.body.includes(receiverA.url) && !list.body.includes(SECRET_A));
    }
    assert.equal((await h.store.channels.list(a.id, { limit: 10 })).items.length, 1, 'nothing was made');
  });

  test('the secret is write-only: even the org-admin and the global admin read ***', async () => {
    for (const token of [a.admin, h.adminToken]) {
      const one = (await h.expect(200, 'GET', `/api/v1/channels/${a.channelId}`, { token })).json;
      assert.equal(one.secret, '***');
      assert.equal(one.url, receiverA.url);
      const list = await h.expect(200, 'GET', `/api/v1/channels?org=${a.id}`, { token });
      assert.ok(!list.body.includes(SECRET_A));
    }
    const generated = await h.expect(201, 'POST', '/api/v1/channels', {
      token: a.admin,
      body: { name: 'generated', kind: 'webhook', url: receiverA.url },
    });
    assert.match(generated.json.secret, /^[A-Za-z0-9_-]{43}$/, 'a generated secret is shown once, at creation');
    const again = await h.expect(200, 'GET', `/api/v1/channels/${generated.json.id}`, { token: a.admin });
    assert.equal(again.json.secret, '***');
  });

  test("another org's channel is not found, by id or by name in a rule, and its run ends never reach it", async () => {
    for (const [method, path, body] of [
      ['GET', `/api/v1/channels/${a.channelId}`, undefined],
      ['PATCH', `/api/v1/channels/${a.channelId}`, { url: receiverB.url }],
      ['DELETE', `/api/v1/channels/${a.channelId}`, undefined],
      ['POST', `/api/v1/channels/${a.channelId}/test`, undefined],
      ['GET', `/api/v1/channels/${a.channelId}/deliveries`, undefined],
    ] as const) {
      const reply = await h.call(method, path, { token: b.admin, ...(body ? { body } : {}) });
      assert.equal(reply.status, 404, `${method} ${path} → ${reply.status}`);
    }
    const rule = [{ on: ['finished'], channels: ['a-only'] }];
    const task = await h.call('POST', '/api/v1/tasks', { token: b.operator, body: noopTask('steal', rule) });
    assert.equal(task.status, 400);
    assert.match(task.json.error.message, /^notify\[0\]\.channels\[0\]: no channel named "a-only"/);
    const defaults = await h.call('PUT', `/api/v1/orgs/${b.id}/notify`, { token: b.admin, body: { notify: rule } });
    assert.equal(defaults.status, 400);
    // B's channel of the same name is B's: its runs go there, never to A's.
    await h.expect(201, 'POST', '/api/v1/channels', {
      token: b.admin,
      body: { name: 'a-only', kind: 'webhook', url: receiverB.url },
    });
    const made = await h.expect(201, 'POST', '/api/v1/tasks', { token: b.operator, body: noopTask('mine', rule) });
    await h.expect(200, 'POST', `/api/v1/tasks/${made.json.id}/runs?wait=10`, { token: b.operator });
    await receiverB.waitFor(1);
    assert.equal(receiverA.received.length, 0);
    const stored = await h.store.channels.get(a.channelId);
    assert.equal(stored?.url, receiverA.url, "A's channel is unchanged");
    assert.equal(stored?.secret, SECRET_A);
  });

  test("global channels are the global admin's: org-admins use them by name, never change them or read their log", async () => {
    const forbidden = await h.call('POST', '/api/v1/channels', {
      token: a.admin,
      body: { name: 'everyone', kind: 'webhook', url: receiverA.url, global: true },
    });
    assert.equal(forbidden.status, 403);
    const global = await h.expect(201, 'POST', '/api/v1/channels', {
      body: { name: 'everyone', kind: 'webhook', url: receiverA.url, global: true },
    });
    assert.equal(global.json.orgId, null);
    const seen = (await h.expect(200, 'GET', `/api/v1/channels/${global.json.id}`, { token: a.admin })).json;
    assert.equal(seen.url, undefined, 'an org-admin does not manage it: no destination');
    for (const [method, path] of [
      ['PATCH', `/api/v1/channels/${global.json.id}`],
      ['DELETE', `/api/v1/channels/${global.json.id}`],
      ['POST', `/api/v1/channels/${global.json.id}/test`],
      ['GET', `/api/v1/channels/${global.json.id}/deliveries`],
    ] as const) {
      const reply = await h.call(method, path, {
        token: a.admin,
        ...(method === 'PATCH' ? { body: { secret: 'x' } } : {}),
      });
      assert.equal(reply.status, 403, `${method} ${path} → ${reply.status}`);
    }
    const task = await h.call('POST', '/api/v1/tasks', {
      token: a.operator,
      body: noopTask('to-everyone', [{ on: ['error'], channels: ['everyone'] }]),
    });
    assert.equal(task.status, 201, 'a global channel is named like the org’s own');
  });
});

describe('webhook destinations', () => {
  test('the allow list (127.0.0.1 here) refuses other hosts: 400 naming url, nothing written', async () => {
    const h = await startServerHarness({ webhookAllow: '127.0.0.1' });
    try {
      const org = await h.createOrg('acme');
      const admin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://10.1.2.3/hook',
        'http://[::1]:8080/hook',
        'http://127.0.0.2/hook',
        'ftp://127.0.0.1/hook',
        'http://user:pw@127.0.0.1/hook',
      ]) {
        const reply = await h.call('POST', '/api/v1/channels', {
          token: admin,
          body: { name: 'hook', kind: 'webhook', url },
        });
        assert.equal(reply.status, 400, `${url} → ${reply.status} ${reply.body}`);
        assert.equal(reply.json.error.details.field, 'url', url);
        assert.match(reply.json.error.message, /^url: /);
      }
      assert.deepEqual((await h.store.channels.list(org.id, { limit: 10 })).items, []);
      const ok = await h.expect(201, 'POST', '/api/v1/channels', {
        token: admin,
        body: { name: 'hook', kind: 'webhook', url: 'http://localhost:9/hook' },
      });
      const moved = await h.call('PATCH', `/api/v1/channels/${ok.json.id}`, {
        token: admin,
        body: { url: 'http://169.254.169.254/' },
      });
      assert.equal(moved.status, 400);
      assert.equal(moved.json.error.details.field, 'url');
      assert.equal((await h.store.channels.get(ok.json.id))?.url, 'http://localhost:9/hook');
    } finally {
      await h.cleanup();
    }
  });

  test('by default (no allow list) loopback, link-local and metadata addresses are refused, by name too', async () => {
    const h = await startServerHarness({ webhookAllow: null });
    try {
      const org = await h.createOrg('acme');
      const admin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
      for (const [url, why] of [
        ['http://127.0.0.1:8080/hook', /loopback/],
        ['http://localhost:8080/hook', /"localhost", which resolves to .*loopback/],
        ['http://[::ffff:127.0.0.1]/hook', /loopback/],
        ['http://169.254.169.254/latest/meta-data/', /metadata/],
        ['http://[fe80::1]/hook', /link-local/],
        ['http://0.0.0.0:8080/hook', /this host/],
      ] as const) {
        const reply = await h.call('POST', '/api/v1/channels', {
          token: admin,
          body: { name: 'hook', kind: 'webhook', url },
        });
        assert.equal(reply.status, 400, `${url} → ${reply.status} ${reply.body}`);
        assert.equal(reply.json.error.details.field, 'url');
        assert.match(reply.json.error.message, why);
      }
    } finally {
      await h.cleanup();
    }
  });
});
