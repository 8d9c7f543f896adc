// Attack (issue 12, item 5): starting a run twice after a dropped connection makes two runs.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TaskwardenClient } from '../../src/client/api.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { noopTask, type Org, runsOf, setUpOrg } from './web-support.ts';

describe('starting a run twice', () => {
  let h: ServerHarness;
  let org: Org;
  let taskId: string;
  before(async () => {
    h = await startServerHarness();
    org = await setUpOrg(h, 'idem');
    const body = noopTask('once', { concurrency: 'allow' });
    taskId = (await h.expect(201, 'POST', '/api/v1/tasks', { token: org.operator, body })).json.id;
  });
  after(() => h.cleanup());

  const start = (key: string, token = org.operator, url = `/api/v1/tasks/${taskId}/runs`) =>
    h.call('POST', url, { token, headers: { 'idempotency-key': key } });

  test('attack: two concurrent starts with the same Idempotency-Key make two runs', async () => {
    const before = (await runsOf(h, taskId)).length;
    const [a, b] = await Promise.all([start('retry-1'), start('retry-1')]);
    assert.equal(a.status, 201, a.body);
    assert.equal(b.status, 201, b.body);
    assert.equal(a.json.id, b.json.id);
    assert.equal((await runsOf(h, taskId)).length, before + 1);
    const replayed = [a, b].filter((r) => r.headers['idempotent-replayed'] === 'true');
    assert.equal(replayed.length, 1, 'exactly one of them is the replay');
  });

  test('a later replay answers the first run; another task or another user with the key does not get it', async () => {
    const first = await start('retry-2');
    assert.equal(first.status, 201);
    const again = await h.call('POST', `/api/v1/tasks/${taskId}/runs?wait=5`, {
      token: org.operator,
      headers: { 'idempotency-key': 'retry-2' },
    });
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.status, again.json.finishedAt === null ? 201 : 200, 'the wait applies to the first run');
    assert.equal(again.headers['idempotent-replayed'], 'true');

    const other = (await h.expect(201, 'POST', '/api/v1/tasks', { token: org.operator, body: noopTask('other') })).json;
    const misuse = await start('retry-2', org.operator, `/api/v1/tasks/${other.id}/runs`);
    assert.equal(misuse.status, 422, misuse.body);
    assert.equal(misuse.json.error.code, 'idempotency_key_reused');
    assert.match(misuse.json.error.message, /Idempotency-Key/);
    assert.equal((await runsOf(h, other.id)).length, 0);

    const someoneElse = await start('retry-2', org.orgAdmin);
    assert.equal(someoneElse.status, 201);
    assert.notEqual(someoneElse.json.id, first.json.id);
  });

  test('a malformed Idempotency-Key is refused and starts nothing', async () => {
    const before = (await runsOf(h, taskId)).length;
    for (const key of ['k'.repeat(256), 'tab\there', 'é']) {
      const reply = await start(key);
      assert.equal(reply.status, 400, `${JSON.stringify(key)} → ${reply.status} ${reply.body}`);
      assert.match(reply.json.error.message, /idempotency-key/i);
    }
    assert.equal((await runsOf(h, taskId)).length, before);
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, {
      token: org.operator,
      headers: { 'idempotency-key': 'k'.repeat(255) },
    });
  });

  test('attack: a start whose answer a dropped connection lost fails the CLI (and a plain retry would run twice)', async () => {
    const server = await h.app.listen({ port: 0, host: '127.0.0.1' });
    // A proxy that forwards the first start to the server, then drops the connection
    // instead of answering: the run exists, the client does not know it.
    let starts = 0;
    const keys: (string | undefined)[] = [];
    const proxy: Server = createServer((req, res) => {
      const isStart = req.method === 'POST' && req.url?.includes('/runs');
      if (isStart) keys.push(req.headers['idempotency-key'] as string | undefined);
      const upstream = httpRequest(`${server}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        if (isStart && ++starts === 1) {
          answer.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const client = new TaskwardenClient({ server: `http://127.0.0.1:${port}`, token: org.operator });
      const before = (await runsOf(h, taskId)).length;
      const run = await client.runTask(taskId);
      assert.equal(starts, 2, 'the client retried once');
      assert.equal(keys.length, 2);
      assert.ok(keys[0] && keys[0] === keys[1], `both tries carried one key: ${JSON.stringify(keys)}`);
      const runs = await runsOf(h, taskId);
      assert.equal(runs.length, before + 1, 'one run for one invocation');
      assert.equal(runs[0]?.id, run.id);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
