// `taskwarden task apply -f` with a file of many tasks: the new ones go to the batch route
// in chunks (all or none each), an error names the task's place in the file, and a task
// file may be several YAML documents.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MAX_BATCH_TASKS } from '../../src/protocol/tasks.ts';
import type { RunningServer } from '../../src/server/start.ts';
import { runCli } from '../support/cli.ts';
import { noopTask, type RealServer, startRealServer } from '../support/server.ts';

/** Two chunks' worth. */
const COUNT = MAX_BATCH_TASKS + 200;

describe('task apply with many tasks', () => {
  let real: RealServer;
  let server: RunningServer;
  let dir: string;
  let admin: string;
  let orgId: string;

  /** The admin's call to the API (setting up and checking without a CLI process each time). */
  // biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const reply = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : null,
    });
    assert.ok(reply.ok, `${method} ${path}: ${reply.status}`);
    return reply.json();
  }
  const names = async () => {
    const found = new Set<string>();
    for (let next: string | null = ''; next !== null; ) {
      const page = await api('GET', `/api/v1/tasks?org=${orgId}&limit=1000${next ? `&after=${next}` : ''}`);
      for (const t of page.items) found.add(t.name);
      next = page.next;
    }
    return found;
  };

  before(async () => {
    real = await startRealServer('tw-apply-bulk-', { TASKWARDEN_TEST_MODULES: '1' });
    ({ server, dir, adminToken: admin } = real);
    orgId = (await api('POST', '/api/v1/orgs', { name: 'acme' })).id;
  });
  after(() => real.close());

  const cli = (args: string[]) => runCli([...args, '--server', server.url, '--token', admin, '--org', 'acme']);

  async function applied(name: string, text: string) {
    const path = join(dir, name);
    await writeFile(path, text);
    return cli(['task', 'apply', '-f', path, '--json']);
  }

  test('a file of several YAML documents: new tasks created, an existing one updated, in file order', async () => {
    await api('POST', `/api/v1/tasks?org=${orgId}`, noopTask('existing'));
    const yaml = (def: object) => `${JSON.stringify(def)}\n`;
    const text = [
      `- ${yaml(noopTask('doc1-a'))}- ${yaml(noopTask('doc1-b'))}`,
      yaml(noopTask('existing', { description: 'changed' })),
      `- ${yaml(noopTask('doc3-a'))}`,
    ].join('---\n');
    const result = await applied('docs.yaml', text);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), [
      { name: 'doc1-a', action: 'created', changes: [] },
      { name: 'doc1-b', action: 'created', changes: [] },
      { name: 'existing', action: 'updated', changes: ['description'] },
      { name: 'doc3-a', action: 'created', changes: [] },
    ]);
  });

  test('more new tasks than one batch takes: all created, in chunks', async () => {
    const defs = Array.from({ length: COUNT }, (_, i) => noopTask(`bulk-${i}`));
    const result = await applied('many.json', JSON.stringify(defs));
    assert.equal(result.code, 0, result.stderr);
    const results = JSON.parse(result.stdout) as { name: string; action: string }[];
    assert.equal(results.filter((r) => r.action === 'created').length, COUNT);
    assert.equal(results.at(-1)?.name, `bulk-${COUNT - 1}`);
    const now = await names();
    assert.ok(defs.every((def) => now.has(def.name)));
  });

  test('a task the server refuses in the second chunk: the first chunk is applied, none of the second, the error names its place', async () => {
    const badAt = MAX_BATCH_TASKS + 50;
    // Well-formed, so it passes the CLI's check of the file: only the server knows its modules.
    const teleport = { jobs: [{ name: 'go', module: 'teleport', targets: { server: true } }] };
    const defs = Array.from({ length: COUNT }, (_, i) => noopTask(`more-${i}`, i === badAt ? teleport : {}));
    const refused = await applied('bad.json', JSON.stringify(defs));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`tasks\\[${badAt}\\]\\.jobs\\[0\\]\\.module: unknown module "teleport"`));
    assert.match(refused.stderr, new RegExp(`${MAX_BATCH_TASKS} tasks before it were applied`));
    const now = await names();
    assert.ok(now.has('more-0') && now.has(`more-${MAX_BATCH_TASKS - 1}`));
    assert.ok(!now.has(`more-${MAX_BATCH_TASKS}`) && !now.has(`more-${COUNT - 1}`));
  });

  test('a malformed task anywhere in the file: nothing is applied, and the error is the batch route’s own', async () => {
    const badAt = MAX_BATCH_TASKS + 50;
    const defs = Array.from({ length: COUNT }, (_, i) =>
      noopTask(`malformed-${i}`, i === badAt ? { misfire: 'sometimes' } : {}),
    );
    const refused = await applied('malformed.json', JSON.stringify(defs));
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    // What POST /api/v1/tasks:batch answers for the same task at the same place in its list.
    const reply = await fetch(`${server.url}/api/v1/tasks:batch?org=${orgId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tasks: defs.slice(0, badAt + 1).slice(-MAX_BATCH_TASKS) }),
    });
    const answer = (await reply.json()) as { error: { code: string; message: string } };
    assert.equal(reply.status, 400);
    const inFile = answer.error.message.replace(/^tasks\[\d+\]/, `tasks[${badAt}]`);
    assert.equal(refused.stderr.trim(), `taskwarden: ${inFile}`);
    assert.match(inFile, /^tasks\[\d+\]\.misfire: must be one of skip, once, all$/);
    assert.ok(![...(await names())].some((name) => name.startsWith('malformed-')), 'nothing was applied');
  });
});
