// The agent's identity on disk and enrolment against a real HTTP stub: agent.json written
// 0600, the device id kept across a failed first try, the credential reused (no second
// enrolment, no token needed), a refused token reported, a damaged file never replaced;
// and the `taskwarden agent` flags, each bad one named.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { resolveAgentConfig } from '../../src/agent/config.ts';
import { ensureEnrolled } from '../../src/agent/enrolment.ts';
import { newDeviceId, readAgentState } from '../../src/agent/state-file.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { memoryLog, type ProtocolStub, startProtocolStub } from './protocol-stub.ts';

describe('enrolment', () => {
  let stub: ProtocolStub;
  let dir: string;
  const dirs: string[] = [];

  before(async () => {
    stub = await startProtocolStub();
  });
  after(async () => {
    await stub.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taskwarden-agent-enrol-'));
    dirs.push(dir);
    stub.requests.length = 0;
    stub.down = false;
  });

  const enrol = (req: Partial<Parameters<typeof ensureEnrolled>[0]> = {}) =>
    ensureEnrolled(
      { dataDir: dir, server: stub.url, version: '1.0.0', modules: ['command'], ...req },
      { clock: new FakeClock(), log: memoryLog().log, signal: new AbortController().signal },
    );
  const enrolments = () => stub.requests.filter((r) => r.path === '/agent/v1/enrol');

  test('enrols once, keeps the credential in agent.json (0600), and reuses it without a token', async () => {
    const first = await enrol({ token: 'enrol-token-1', name: 'pc-1', tags: ['lab'] });
    assert.equal(first.contactSeconds, 30);
    const { deviceId } = first.state;
    assert.deepEqual(first.state, {
      deviceId,
      server: stub.url,
      agentId: `agent-for-${deviceId}`,
      secret: 'fresh-secret',
    });
    assert.deepEqual(enrolments()[0]?.body, {
      token: 'enrol-token-1',
      deviceId,
      name: 'pc-1',
      tags: ['lab'],
      version: '1.0.0',
      modules: ['command'],
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    assert.equal((await stat(join(dir, 'agent.json'))).mode & 0o777, 0o600);
    assert.deepEqual(await readAgentState(dir), first.state);

    const again = await enrol({ server: undefined });
    assert.deepEqual(again, { state: first.state, contactSeconds: null });
    assert.equal(enrolments().length, 1, 'no second enrolment');
  });

  test('a refused token is an error, and the device id stays for the next try', async () => {
    await assert.rejects(enrol({ token: 'wrong-token' }), { code: 'unauthorized' });
    const kept = await readAgentState(dir);
    assert.ok(kept?.deviceId);
    const second = await enrol({ token: 'enrol-token-1' });
    assert.equal(second.state.deviceId, kept.deviceId);
  });

  test('not enrolled and no token, or no server: the error names the flag', async () => {
    await assert.rejects(enrol(), { message: /^--enrol-file: this agent is not enrolled yet/ });
    await assert.rejects(enrol({ token: 'enrol-token-1', server: undefined }), { message: /^--server: is required/ });
  });

  test('--device-id different from the stored one is a new identity: it enrols again', async () => {
    const first = await enrol({ token: 'enrol-token-1' });
    const other = await enrol({ token: 'enrol-token-1', deviceId: 'lab-pc-7' });
    assert.equal(other.state.deviceId, 'lab-pc-7');
    assert.notEqual(other.state.agentId, first.state.agentId);
  });

  test('a damaged agent.json is an error, never silently replaced', async () => {
    await writeFile(join(dir, 'agent.json'), '{"deviceId": ');
    await assert.rejects(enrol({ token: 'enrol-token-1' }), /agent\.json is not JSON/);
    await writeFile(join(dir, 'agent.json'), JSON.stringify({ deviceId: 'ok', agentId: 'a' }));
    await assert.rejects(enrol({ token: 'enrol-token-1' }), /agentId and secret go together/);
    assert.equal(enrolments().length, 0);
    assert.match(await readFile(join(dir, 'agent.json'), 'utf8'), /"agentId":"a"/);
  });

  test('generated device ids use the host name and a random part, within the protocol alphabet', () => {
    const id = newDeviceId('PC 12/Lab');
    assert.match(id, /^PC-12-Lab-[0-9a-f-]{36}$/);
    assert.notEqual(newDeviceId('x'), newDeviceId('x'));
  });
});

describe('taskwarden agent flags', () => {
  const resolve = (flags: Parameters<typeof resolveAgentConfig>[0], env: NodeJS.ProcessEnv = {}) =>
    resolveAgentConfig(flags, '/srv', '1.0.0', env);

  test('defaults: ./taskwarden-agent, 2 slots, long poll 60 s, no listener, packages under the data folder', () => {
    assert.deepEqual(resolve({}), {
      dataDir: '/srv/taskwarden-agent',
      packageRoot: '/srv/taskwarden-agent/packages',
      server: undefined,
      enrolToken: undefined,
      deviceId: undefined,
      name: undefined,
      tags: undefined,
      listen: null,
      concurrency: 2,
      longPollSeconds: 60,
      version: '1.0.0',
    });
  });

  test('--listen alone takes the default port on 127.0.0.1 and turns the long poll off', () => {
    const config = resolve({ listen: true, tags: 'a, b,a', server: 'http://srv:8080/' });
    assert.deepEqual(config.listen, { host: '127.0.0.1', port: 62354, wakeUrl: undefined });
    assert.equal(config.longPollSeconds, 0);
    assert.deepEqual(config.tags, ['a', 'b']);
    assert.equal(config.server, 'http://srv:8080');
    assert.deepEqual(resolve({ listen: '0', listenHost: '0.0.0.0', longPoll: '30' }).listen?.port, 0);
  });

  test('--package-root is resolved from the working folder, like --data', () => {
    assert.equal(resolve({ packageRoot: 'apps' }).packageRoot, '/srv/apps');
    assert.equal(resolve({ data: '/var/lib/tw', packageRoot: '/opt/tw' }).packageRoot, '/opt/tw');
    assert.equal(resolve({ data: '/var/lib/tw' }).packageRoot, '/var/lib/tw/packages');
  });

  test('the enrolment token comes from --enrol-file (first line) or TASKWARDEN_ENROL_TOKEN, flags first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskwarden-agent-token-'));
    try {
      await writeFile(join(dir, 'enrol.token'), '  twe_from-the-file  \nignored\n', { mode: 0o600 });
      assert.equal(resolve({ enrolFile: join(dir, 'enrol.token') }).enrolToken, 'twe_from-the-file');
      assert.equal(resolve({}, { TASKWARDEN_ENROL_TOKEN: 'twe_from-the-env\n' }).enrolToken, 'twe_from-the-env');
      const env = { TASKWARDEN_ENROL_TOKEN: 'twe_from-the-env' };
      assert.equal(resolve({ enrolFile: join(dir, 'enrol.token') }, env).enrolToken, 'twe_from-the-file');
      assert.throws(() => resolve({}, { TASKWARDEN_ENROL_TOKEN: 'short' }), { message: /^TASKWARDEN_ENROL_TOKEN: / });
      await writeFile(join(dir, 'empty.token'), '\n');
      assert.throws(() => resolve({ enrolFile: join(dir, 'empty.token') }), { message: /^--enrol-file: must be/ });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('each bad value names its flag', () => {
    const cases: [Parameters<typeof resolve>[0], RegExp][] = [
      [{ server: 'not a url' }, /^--server: /],
      [{ server: 'ftp://x' }, /^--server: must be http/],
      [{ enrol: 'short' }, /^--enrol: /],
      [{ enrol: 'enrol-token-1', enrolFile: '/x' }, /^--enrol-file: give the enrolment token one way only/],
      [{ enrolFile: '/nonexistent/token' }, /^--enrol-file: cannot read \/nonexistent\/token \(ENOENT\)/],
      [{ concurrency: '0' }, /^--concurrency: /],
      [{ concurrency: 'two' }, /^--concurrency: /],
      [{ longPoll: '61' }, /^--long-poll: /],
      [{ listen: '70000' }, /^--listen: /],
      [{ tags: 'a,,b' }, /^--tags: /],
      [{ deviceId: 'has space' }, /^--device-id: /],
      [{ name: ' ' }, /^--name: /],
      [{ data: '' }, /^--data: /],
      [{ data: import.meta.filename }, /^--data: .*enrolment\.test\.ts is a file, not a folder/],
      [{ listen: true, wakeUrl: 'nope' }, /^--wake-url: /],
      [{ packageRoot: ' ' }, /^--package-root: /],
    ];
    for (const [flags, message] of cases) assert.throws(() => resolve(flags), { message }, JSON.stringify(flags));
  });
});
