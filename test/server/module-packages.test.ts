// A real `taskwarden server` process and its module list (TASKWARDEN_MODULES): a good
// package is offered by GET /api/v1/modules with its params schema, the modules for tests
// are not (no TASKWARDEN_TEST_MODULES); a broken package stops the start with exit code 2
// and one line that names it, before the data folder is even made; so does an agent's.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServerProcess } from '../faults/server-process.ts';
import { runCli } from '../support/cli.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/modules/disk-usage');

describe('module packages of a server process', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-module-packages-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the example package is offered with its params schema; noop is not', async () => {
    const server = await startServerProcess(join(dir, 'good'), {
      TASKWARDEN_MODULES: EXAMPLE,
      TASKWARDEN_TEST_MODULES: '',
    });
    try {
      const listed = await server.api('GET', '/api/v1/modules');
      assert.equal(listed.status, 200);
      const names = listed.json.items.map((m: { name: string }) => m.name);
      assert.ok(names.includes('disk-usage') && names.includes('command'), names.join());
      assert.ok(!names.includes('noop') && !names.includes('noop-serial'), names.join());
      const diskUsage = listed.json.items.find((m: { name: string }) => m.name === 'disk-usage');
      assert.equal(diskUsage.paramsSchema.properties.maxPercent.default, 90);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  test('a module with a broken definition stops the server with one line naming it', async () => {
    const broken = join(dir, 'broken-module.mjs');
    await writeFile(
      broken,
      "import { defineModule } from 'taskwarden/sdk';\nexport default defineModule({ name: 'broken', title: 'Broken', runsOn: 'agent', paramsSchema: { type: 'object' } });\n",
    );
    const data = join(dir, 'broken-data');
    const res = await runCli(['server', '--data', data, '--port', '0'], {
      env: { TASKWARDEN_MODULES: `${EXAMPLE},${broken}` },
    });
    assert.equal(res.code, 2, res.stdout + res.stderr);
    assert.equal(
      res.stderr,
      `taskwarden: TASKWARDEN_MODULES: ${broken}: cannot be loaded (module broken: runsOn "agent" needs an agent half (agent.run))\n`,
    );
    assert.equal(res.stdout, '');
    assert.equal(existsSync(data), false, 'nothing written');

    const agent = await runCli(['agent', '--modules', broken, '--server', 'http://127.0.0.1:9', '--data', data]);
    assert.equal(agent.code, 2, agent.stdout + agent.stderr);
    assert.match(
      agent.stderr,
      /^taskwarden: --modules: \S+broken-module\.mjs: cannot be loaded \(module broken: [^\n]+\)\n$/,
    );
    assert.equal(existsSync(data), false, 'nothing written');
  });
});
