// A module written outside Taskwarden, against the SDK only and loaded as a package is
// (`modules`), offers a fusionInventory.deploy hook (fixtures/unpack-module.mjs): Debian's
// unmodified FusionInventory agent gets its job from getJobs, downloads the file the hook
// asked for in parts, runs the job, and its setStatus calls end the job as the hook reads
// them, though no Taskwarden source names the module. The server asks the hook's own
// checkArchive before handing a file out, and hands out only the org's own files.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TaskwardenClient } from '../../src/client/api.ts';
import { parseModuleList } from '../../src/modules/load.ts';
import { type E2EServer, runEnded, runWithContact, startE2EServer } from '../agent/e2e-support.ts';
import { tarBytes } from '../modules/tar-builder.ts';
import { endpointOf, type FusionAgent, fusionAgent, fusionCredential } from './support.ts';

const MODULE = resolve(import.meta.dirname, 'fixtures/unpack-module.mjs');

describe('e2e: a FusionInventory agent runs a third-party module through its deploy hook', () => {
  let server: E2EServer;
  let agent: FusionAgent;
  let credential: { user: string; password: string };
  let root: string;
  const run = () =>
    agent.run({ server: endpointOf(server), user: credential.user, password: credential.password, tasks: ['deploy'] });
  /** Uploads a package file as `token` (default: the org-admin of org "fleet"); returns its sha256. */
  const upload = async (content: Buffer, token = server.token) => {
    const uploaded = await fetch(`${server.url}/api/v1/packages/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: content,
    });
    assert.equal(uploaded.status, 201);
    return ((await uploaded.json()) as { sha256: string }).sha256;
  };
  const unpackTask = (name: string, params: { archive: string; to: string }) =>
    server.client.createTask({
      name,
      schedule: { kind: 'manual' },
      jobs: [{ name, module: 'fi-unpack', params, targets: { tags: ['fi'] } }],
    });

  before(async () => {
    server = await startE2EServer({ modules: parseModuleList(MODULE, 'test', process.cwd()) });
    credential = await fusionCredential(server, ['fi']);
    agent = await fusionAgent();
    root = await mkdtemp(join(tmpdir(), 'taskwarden-fi-hook-'));
    const enrolled = await run();
    assert.match(enrolled.output, /No Deploy job enabled/, enrolled.output);
  });
  after(async () => {
    await server.close();
    await rm(agent.dir, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  });

  test('the agent gets the job at getJobs, fetches the file in parts and runs it; setStatus ends it as the hook says', async () => {
    const sha256 = await upload(tarBytes([{ name: 'hello.txt', content: 'hello\n' }]));
    const to = join(root, 'out');
    const task = await unpackTask('unpack', { archive: sha256, to });
    const { js, lines } = await runWithContact(server, task.id, run);
    assert.deepEqual(js.result, { unpacked: to });
    assert.equal(await readFile(join(to, 'hello.txt'), 'utf8'), 'hello\n');
    assert.ok(
      lines.some((l) => /^unpacking for (?!an unknown agent)/.test(l)),
      'the hook saw the agent',
    );
    assert.ok(
      lines.some((l) => /^unpack: downloading ok unpack\.tar downloaded/.test(l)),
      lines.join('\n'),
    );
    assert.equal(lines[lines.length - 1], 'unpack: end ok job successfully completed');
  });

  test("a file the hook's checkArchive refuses, or another org's, is not handed out: the job ends at getJobs, saying why", async () => {
    const refused = await upload(tarBytes([{ name: 'refuse-me.txt', content: 'no' }]));
    const admin = new TaskwardenClient({ server: server.url, token: server.adminToken });
    await admin.createOrg('other');
    const other = await admin.createUser('other', { name: 'other-admin', role: 'org-admin' });
    const foreign = await upload(
      tarBytes([{ name: 'theirs.txt', content: 'theirs' }]),
      (await admin.createToken(other.id, { name: 'other' })).token,
    );
    const ends: unknown[] = [];
    for (const [name, archive] of Object.entries({ refused, foreign })) {
      const task = await unpackTask(name, { archive, to: join(root, name) });
      const started = await server.client.runTask(task.id);
      const ran = await run();
      assert.equal(ran.code, 0, ran.output);
      assert.match(ran.output, /No Deploy job found in server jobs list/);
      const [js] = await server.client.runJobstates((await runEnded(server.client, started.id, 10_000)).id);
      assert.ok(js, 'the run has its jobstate');
      ends.push([js.status, (js.result as { error: string }).error]);
    }
    assert.deepEqual(ends, [
      ['error', 'module fi-unpack could not translate the job: the archive is refused: it says refuse-me'],
      ['error', `module fi-unpack could not translate the job: ${foreign} is not one of the org's package files`],
    ]);
  });
});
