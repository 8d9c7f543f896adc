// The main flow over the API: an org, an operator, a catalog command, a task running it on
// the server, a run awaited with ?wait, its output read back, then monitoring: summary,
// history, server-sent events over a real socket, and Prometheus metrics.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { echoCommand, echoTask, type ServerHarness, startServerHarness } from '../support/server.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('end to end', () => {
  let h: ServerHarness;
  let operator: string;
  let taskId: string;
  let runId: string;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('acme');
    operator = (await h.createUser(org.id, 'oscar', 'operator')).token;
    const command = await h.expect(201, 'POST', '/api/v1/commands?org=acme', { body: echoCommand });
    assert.equal(command.json.orgId, org.id);
    const task = await h.expect(201, 'POST', '/api/v1/tasks', {
      token: operator,
      body: echoTask('greet', 'hello world'),
    });
    taskId = task.json.id;
    assert.equal(task.json.version, 1);
    assert.equal(task.json.jobs[0].timeout, '2h');
  });
  after(() => h.cleanup());

  test('a run awaited with ?wait ends within it: 200 with the finished run', async () => {
    const run = await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/runs?wait=10`, { token: operator });
    runId = run.json.id;
    assert.equal(run.json.status, 'finished');
    assert.equal(run.json.taskId, taskId);
    assert.equal(run.json.reason, 'manual');
    assert.equal(run.json.completion, 100);
    assert.deepEqual(run.json.counts, {
      waiting: 0,
      prepared: 0,
      running: 0,
      finished: 1,
      error: 0,
      cancelled: 0,
      skipped: 0,
    });
    for (const key of ['fireAt', 'createdAt', 'startedAt', 'finishedAt']) assert.match(run.json[key], ISO, key);
    assert.deepEqual((await h.expect(200, 'GET', `/api/v1/runs/${runId}`, { token: operator })).json, run.json);
  });

  test("the job's output is read back through its jobstate's logs", async () => {
    const jobstates = await h.expect(200, 'GET', `/api/v1/runs/${runId}/jobstates`, { token: operator });
    assert.equal(jobstates.json.items.length, 1);
    const js = jobstates.json.items[0];
    assert.equal(js.status, 'finished');
    assert.equal(js.module, 'command');
    assert.equal(js.job, 'say');
    assert.equal(js.agentId, null);
    assert.equal(js.attempt, 1);
    assert.deepEqual((await h.expect(200, 'GET', `/api/v1/jobstates/${js.id}`, { token: operator })).json, js);
    const logs = await h.expect(200, 'GET', `/api/v1/jobstates/${js.id}/logs`, { token: operator });
    const stdout = logs.json.items.filter((l: { stream: string }) => l.stream === 'stdout');
    assert.deepEqual(
      stdout.map((l: { line: string }) => l.line),
      ['hello world'],
    );
    assert.match(stdout[0].ts, ISO);
    assert.equal(logs.json.next, null);
    const later = await h.expect(200, 'GET', `/api/v1/jobstates/${js.id}/logs?after=${logs.json.cursor}`, {
      token: operator,
    });
    assert.deepEqual(later.json.items, []);
  });

  test('runs are listed with filters', async () => {
    const finished = await h.expect(200, 'GET', `/api/v1/runs?task=${taskId}&status=finished,error`, {
      token: operator,
    });
    assert.deepEqual(
      finished.json.items.map((r: { id: string }) => r.id),
      [runId],
    );
    const none = await h.expect(200, 'GET', `/api/v1/runs?task=${taskId}&status=cancelled`, { token: operator });
    assert.deepEqual(none.json.items, []);
    const future = await h.expect(200, 'GET', '/api/v1/runs?since=2999-01-01T00:00:00Z', { token: operator });
    assert.deepEqual(future.json.items, []);
    const ofTask = await h.expect(200, 'GET', `/api/v1/tasks/${taskId}/runs`, { token: operator });
    assert.equal(ofTask.json.items[0].id, runId);
  });

  test("the summary line shows the latest run with the module's details", async () => {
    const summary = await h.expect(200, 'GET', '/api/v1/summary', { token: operator });
    assert.equal(summary.json.items.length, 1);
    const line = summary.json.items[0];
    assert.equal(line.taskId, taskId);
    assert.equal(line.task, 'greet');
    assert.equal(line.status, 'finished');
    assert.equal(line.completion, 100);
    assert.equal(line.details, '1 ok, 0 failed');
    assert.deepEqual(line.modules, [{ name: 'command', icon: '▶', details: '1 ok, 0 failed', lines: [] }]);
    assert.equal(line.counts.finished, 1);
    assert.equal(line.lastRun.id, runId);
    assert.equal(line.nextFireAt, null);
  });

  test('history records the creation and each change with a diff; an identical PUT changes nothing', async () => {
    const current = (await h.expect(200, 'GET', `/api/v1/tasks/${taskId}`, { token: operator })).json;
    const { id, orgId, version, createdAt, updatedAt, ...definition } = current;
    const same = await h.expect(200, 'PUT', `/api/v1/tasks/${taskId}`, { token: operator, body: definition });
    assert.equal(same.json.version, version);
    const changed = await h.expect(200, 'PUT', `/api/v1/tasks/${taskId}`, {
      token: operator,
      body: { ...definition, description: 'says hello' },
    });
    assert.equal(changed.json.version, version + 1);
    const history = (await h.expect(200, 'GET', `/api/v1/tasks/${taskId}/history`, { token: operator })).json.items;
    assert.deepEqual(
      history.map((e: { action: string; actor: string }) => [e.action, e.actor]),
      [
        ['create', 'oscar'],
        ['update', 'oscar'],
      ],
    );
    assert.deepEqual(history[1].diff, { description: { from: '', to: 'says hello' } });
    assert.match(history[1].at, ISO);
  });

  test('a disabled task shows as disabled in the summary', async () => {
    const disabled = await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/disable`, { token: operator });
    assert.equal(disabled.json.enabled, false);
    const line = (await h.expect(200, 'GET', '/api/v1/summary', { token: operator })).json.items[0];
    assert.equal(line.status, 'disabled');
    await h.expect(200, 'POST', `/api/v1/tasks/${taskId}/enable`, { token: operator });
    const history = (await h.expect(200, 'GET', `/api/v1/tasks/${taskId}/history`, { token: operator })).json.items;
    assert.deepEqual(
      history.slice(-2).map((e: { action: string }) => e.action),
      ['disable', 'enable'],
    );
  });

  test('server-sent events stream run events of the caller’s org over a real socket', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const received: { event: string; data: { taskId?: string; status?: string } }[] = [];
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/api/v1/events',
        headers: { authorization: `Bearer ${operator}`, accept: 'text/event-stream' },
      });
      req.on('response', resolve).on('error', reject).end();
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const finished = new Promise<void>((resolve) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) received.push({ event, data: JSON.parse(data) });
          if (event === 'run' && received.at(-1)?.data.status === 'finished') resolve();
        }
      });
    });
    // Another org's run happens first; its events must not reach this org's stream.
    await h.createOrg('elsewhere');
    const foreign = await h.expect(201, 'POST', '/api/v1/tasks?org=elsewhere', {
      body: { name: 'foreign', jobs: [{ name: 'n', module: 'noop', targets: { server: true } }] },
    });
    await h.expect(200, 'POST', `/api/v1/tasks/${foreign.json.id}/runs?wait=10`);
    await h.expect(201, 'POST', `/api/v1/tasks/${taskId}/runs`, { token: operator });
    await finished;
    res.destroy();
    const runEvents = received.filter((e) => e.event === 'run');
    assert.deepEqual(
      runEvents.map((e) => e.data.status),
      ['running', 'finished'],
    );
    assert.ok(received.some((e) => e.event === 'jobstate'));
    assert.ok(
      received.every((e) => e.data.taskId === taskId),
      'an event of another org was sent',
    );
  });

  test('/metrics has the run gauges, the lateness histogram and the queue depth (admin only)', async () => {
    await h.expect(401, 'GET', '/metrics', { token: null });
    await h.expect(403, 'GET', '/metrics', { token: operator });
    const metrics = await h.expect(200, 'GET', '/metrics');
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const runs = (await h.store.runs.list({}, { limit: 100 })).items.length;
    assert.match(metrics.body, new RegExp(`^taskwarden_runs\\{status="finished"\\} ${runs}$`, 'm'));
    assert.match(metrics.body, /^taskwarden_runs\{status="running"\} 0$/m);
    assert.match(metrics.body, new RegExp(`^taskwarden_jobstates\\{status="finished"\\} ${runs}$`, 'm'));
    assert.match(metrics.body, /^taskwarden_executor_queue_depth 0$/m);
    assert.match(metrics.body, new RegExp(`^taskwarden_scheduler_lateness_seconds_count ${runs}$`, 'm'));
    assert.match(metrics.body, /^# TYPE taskwarden_scheduler_lateness_seconds histogram$/m);
  });
});
