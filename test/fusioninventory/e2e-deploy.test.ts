// Debian's unmodified fusioninventory-agent runs a Taskwarden deploy job over the REST
// protocol: it downloads the package archive in sha512-checked parts, extracts it and runs
// a catalog command; run again, its check skips the job, which ends unneeded.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addAppPackage, type E2EServer, runWithContact, startE2EServer } from '../agent/e2e-support.ts';
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
    await addAppPackage(server, root, { text: "it's done", pattern: "^[a-z ']+$" });
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
      const { js, lines } = await runWithContact(server, task.id, run);
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
