// Two server processes on one PostgreSQL database run a task's runs side by side and both
// deliver notifications: a receiver on 127.0.0.1 gets each run end exactly once, each
// delivery once, whichever node ended the run and whichever sent it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresForFile } from '../support/postgres.ts';
import { runIdsOf, signedWith, startWebhookReceiver } from '../support/webhook-receiver.ts';
import { adminTokenOf, api, query, type ServerNode, startServerNode, until } from './support.ts';

const postgres = postgresForFile();
const RUNS = 24;
const SECRET = 'shared by both nodes';

test('two nodes deliver each run end exactly once', { timeout: 180_000 }, async () => {
  const url = await postgres.database({ migrated: true });
  const receiver = await startWebhookReceiver();
  // No digest window: every pass of either node makes messages of what is queued, so both claim side by side.
  const env = { TASKWARDEN_WEBHOOK_ALLOW: '127.0.0.1', TASKWARDEN_NOTIFY_DIGEST: '0', TASKWARDEN_NOTIFY_RETRY: '1' };
  const nodes: ServerNode[] = [];
  try {
    nodes.push(await startServerNode(url, env));
    nodes.push(await startServerNode(url, env));
    const [first, second] = nodes as [ServerNode, ServerNode];
    const token = await adminTokenOf(first);
    const org = (await api(first, token, 'POST', '/api/v1/orgs', { name: 'acme' })).json;
    const channel = { name: 'ops', kind: 'webhook', url: receiver.url, secret: SECRET };
    assert.equal((await api(first, token, 'POST', `/api/v1/channels?org=${org.id}`, channel)).status, 201);
    const task = await api(first, token, 'POST', `/api/v1/tasks?org=${org.id}`, {
      name: 'fleet',
      concurrency: 'allow',
      jobs: [{ name: 'work', module: 'noop', params: { sleepMs: 20 }, targets: { server: true } }],
      notify: [{ on: ['finished'], channels: ['ops'] }],
    });
    assert.equal(task.status, 201, JSON.stringify(task.json));
    // A quarter of the receiver's answers fail: retries must not duplicate either.
    receiver.answers.push(...Array.from({ length: 200 }, (_, i) => (i % 4 === 3 ? 500 : 200)));
    const runs = await Promise.all(
      Array.from({ length: RUNS }, async (_, i) => {
        const node = i % 2 === 0 ? first : second;
        const run = await api(node, token, 'POST', `/api/v1/tasks/${task.json.id}/runs`);
        assert.equal(run.status, 201);
        return run.json.id as string;
      }),
    );
    await until(
      'every run end to be delivered',
      async () => {
        const rows = await query<{ open: string }>(
          url,
          `select count(*) as open from deliveries where status <> 'delivered'`,
        );
        const told = new Set(receiver.received.filter((r) => r.json !== null).flatMap(runIdsOf));
        return told.size === RUNS && Number(rows[0]?.open) === 0;
      },
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // anything sent twice would arrive by now

    const accepted = receiver.received.filter((r) => r.answered === 200);
    const told = accepted.flatMap(runIdsOf);
    assert.deepEqual([...told].sort(), [...runs].sort(), 'each run end delivered once');
    const deliveryIds = accepted.map((r) => r.headers['x-taskwarden-delivery']);
    assert.equal(new Set(deliveryIds).size, deliveryIds.length, 'no delivery accepted twice');
    assert.ok(receiver.received.every((r) => signedWith(r, SECRET)));
    const senders = await query<{ nodes: string }>(url, 'select count(distinct id) as nodes from nodes');
    assert.equal(Number(senders[0]?.nodes), 2);
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    await receiver.close();
  }
});
