// Debian's unmodified fusioninventory-agent runs a Taskwarden deploy job over the REST
// protocol: it downloads the package archive in sha512-checked parts, extracts it and runs
// a catalog command; run again, its check skips the job, which ends unneeded.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allLogs, type E2EServer, runEnded, startE2EServer } from '../agent/e2e-support.ts';
import { tarBytes } from '../modules/tar-builder.ts';
import { endpointOf, type FusionAgent, fusionAgent, fusionCredential } from './support.ts';

describe('e2e: a FusionInventory agent deploys a package', () => {
  let server: E2EServer;
  let agent: FusionAgent;
  let credential: { user: string; password: string };
  let root: string;
  const run = () =>
    agent.run({ server: endpointOf(server), user: credential.user, password: credential.password, tasks: ['deploy'] });

  before(async () => {
    server = await startE2EServer();
    credential = await fusionCredential(server, ['fi']);
    agent = await fusionAgent();
    root = await mkdtemp(join(tmpdir(), 'taskwarden-fi-deploy-'));
    const enrolled = await run();
    assert.match(enrolled.output, /No Deploy job enabled/, enrolled.output);
    await server.client.addCommand({
      name: 'write-marker',
      argv: ['sh', '-c', 'echo "$2" > "$1"', 'write-marker', '{path}', '{text}'],
      params: {
        path: { type: 'string', pattern: '^/[A-Za-z0-9/_.-]*$' },
        text: { type: 'string', pattern: "^[a-z ']+$" },
      },
      runsOn: 'agent',
    });
    const archive = tarBytes([
      { name: 'app/', type: 'directory' },
      { name: 'app/run.sh', content: '#!/bin/sh\necho app\n', mode: 0o755 },
    ]);
    const uploaded = await fetch(`${server.url}/api/v1/packages/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/octet-stream' },
      body: archive,
    });
    const { sha256 } = (await uploaded.json()) as { sha256: string };
    const created = await server.call('POST', '/api/v1/packages', {
      name: 'app',
      version: '1.0',
      archive: sha256,
      checks: [
        { type: 'file-exists', path: `${root}/app/run.sh` },
        { type: 'file-exists', path: `${root}/installed` },
      ],
      steps: [
        { type: 'extract', to: root },
        { type: 'command', command: 'write-marker', args: { path: `${root}/installed`, text: "it's done" } },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
  });
  after(async () => {
    await server.close();
    await rm(agent.dir, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });

  test('the first run installs it (ok, with the logs); the second is skipped by its check (unneeded)', async () => {
    const task = await server.client.createTask({
      name: 'deploy',
      schedule: { kind: 'manual' },
      jobs: [{ name: 'app', module: 'deploy', params: { package: 'app' }, targets: { tags: ['fi'] } }],
    });
    const outcomes: { result: unknown; lines: string[]; details: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const started = await server.client.runTask(task.id);
      const ran = await run();
      assert.equal(ran.code, 0, ran.output);
      const ended = await runEnded(server.client, started.id, 10_000);
      const [js] = await server.client.runJobstates(ended.id);
      assert.ok(js, 'the run has its jobstate');
      assert.equal(ended.status, 'finished', JSON.stringify(js));
      const lines = (await allLogs(server.client, js.id as string)).map((l) => l.line);
      // The monitoring line of the task (its latest run), as the deploy module summarizes it.
      const summary = await server.call('GET', `/api/v1/summary/${task.id}`);
      outcomes.push({ result: js.result, lines, details: JSON.stringify(summary.json) });
    }
    const [first, second] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
    assert.deepEqual(first.result, { package: 'app', version: '1.0', action: 'install', outcome: 'ok' });
    assert.ok(
      first.lines.some((l) => /\[downloading\] ok: app-\w+\.tar downloaded/.test(l)),
      first.lines.join('\n'),
    );
    assert.ok(first.lines.some((l) => l.includes("Started cmd: 'sh' '-c'")));
    assert.equal(first.lines[first.lines.length - 1], '[end] ok: job successfully completed');
    assert.equal(await readFile(join(root, 'installed'), 'utf8'), "it's done\n");
    assert.equal((await stat(join(root, 'app/run.sh'))).mode & 0o777, 0o755);

    assert.deepEqual(second.result, { package: 'app', version: '1.0', action: 'install', outcome: 'unneeded' });
    assert.equal(second.lines[second.lines.length - 1], '[checking] ok: job skipped');
    assert.match(second.details, /ok: 0, ko: 0, unneeded: 1/);
  });
});
