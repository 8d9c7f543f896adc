// The FusionInventory endpoint over HTTP, spoken by hand (the real agent is in the e2e
// files): who gets in, what enrols, what is refused and that a refusal writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync, gzipSync, inflateSync } from 'node:zlib';
import { DEFAULT_FUSIONINVENTORY_PATH } from '../../src/server/fusioninventory/path.ts';
import { waitFor } from '../agent/protocol-stub.ts';
import { tarBytes } from '../modules/tar-builder.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const PATH = DEFAULT_FUSIONINVENTORY_PATH;
const prolog = (deviceId: string) =>
  `<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST><DEVICEID>${deviceId}</DEVICEID><QUERY>PROLOG</QUERY><TOKEN>12345678</TOKEN></REQUEST>`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the FusionInventory endpoint', () => {
  let h: ServerHarness;
  let orgAdmin: string;
  let credential: { user: string; password: string };

  const token = async (uses: number, tags: string[] = []) => {
    const made = await h.expect(201, 'POST', '/api/v1/enrolment-tokens', {
      token: orgAdmin,
      body: { uses, expiresIn: '1h', tags },
    });
    return { user: made.json.id as string, password: made.json.token as string };
  };
  const send = (body: Buffer | string, headers: Record<string, string>, url = PATH) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-compress-zlib', ...headers },
      payload: body,
    });
  const agents = async () => (await h.expect(200, 'GET', '/api/v1/agents', { token: orgAdmin })).json.items;
  const usesLeft = async (id: string) =>
    (await h.expect(200, 'GET', '/api/v1/enrolment-tokens', { token: orgAdmin })).json.items.find(
      (t: { id: string }) => t.id === id,
    ).usesLeft;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('fi');
    orgAdmin = (await h.createUser(org.id, 'fi-admin', 'org-admin')).token;
    credential = await token(2, ['lab']);
  });
  after(() => h.cleanup());

  test('without credentials, or with wrong ones, it challenges for basic auth and writes nothing', async () => {
    const challenges = [
      await send(deflateSync(prolog('pc-1-2026-01-01-00-00-00')), {}),
      await send(deflateSync(prolog('pc-1-2026-01-01-00-00-00')), {
        authorization: basic(credential.user, 'twe_wrong'),
      }),
      await send(deflateSync(prolog('pc-1-2026-01-01-00-00-00')), {
        authorization: basic('someone-else', credential.password),
      }),
      await send(deflateSync(prolog('pc-1-2026-01-01-00-00-00')), { authorization: `Bearer ${credential.password}` }),
      await h.app.inject({ method: 'GET', url: `${PATH}?action=getConfig&machineid=pc-1` }),
      await h.app.inject({ method: 'GET', url: `${PATH}files/${'a'.repeat(64)}/b/bc/${'b'.repeat(128)}` }),
    ];
    for (const reply of challenges) {
      assert.equal(reply.statusCode, 401, reply.body);
      assert.equal(reply.headers['www-authenticate'], 'Basic realm="Taskwarden"');
    }
    assert.deepEqual(await agents(), []);
    assert.equal(await usesLeft(credential.user), 2);
  });

  test('an unknown DEVICEID with a valid credential enrols as a fusioninventory agent; the reply is compressed as asked', async () => {
    const auth = {
      authorization: basic(credential.user, credential.password),
      'user-agent': 'FusionInventory-Agent_v2.6-3',
    };
    const reply = await send(deflateSync(prolog('desk-7-2026-01-01-00-00-00')), auth);
    assert.equal(reply.statusCode, 200, reply.body);
    assert.equal(reply.headers['content-type'], 'application/x-compress-zlib');
    const text = inflateSync(reply.rawPayload).toString();
    assert.match(text, /<REPLY><RESPONSE>SEND<\/RESPONSE><PROLOG_FREQ>1<\/PROLOG_FREQ><\/REPLY>/);
    const [agent] = await agents();
    assert.deepEqual(
      [agent.kind, agent.deviceId, agent.name, agent.tags, agent.version, agent.presence],
      ['fusioninventory', 'desk-7-2026-01-01-00-00-00', 'desk-7', ['lab'], '2.6-3', 'online'],
    );
    assert.equal(await usesLeft(credential.user), 1);

    const again = await send(gzipSync(prolog('desk-7-2026-01-01-00-00-00')), {
      ...auth,
      'content-type': 'application/x-compress-gzip',
    });
    assert.equal(again.headers['content-type'], 'application/x-compress-gzip');
    assert.equal((await agents()).length, 1, 'the same device is the same agent');
    assert.equal(await usesLeft(credential.user), 1, 'a known device uses no enrolment');
    const plain = await send(prolog('desk-7-2026-01-01-00-00-00'), { ...auth, 'content-type': 'application/xml' });
    assert.match(plain.body, /^<\?xml/);
  });

  test('a used-up token enrols no new machine but still serves those it enrolled; a revoked one serves none', async () => {
    const once = await token(1);
    const auth = { authorization: basic(once.user, once.password) };
    assert.equal((await send(deflateSync(prolog('a-2026-01-01-00-00-00')), auth)).statusCode, 200);
    const refused = await send(deflateSync(prolog('b-2026-01-01-00-00-00')), auth);
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().error.message, /enrols no new one/);
    // The agent written before the token's use was refused is rolled back with it.
    assert.ok(!(await agents()).some((a: { deviceId: string }) => a.deviceId === 'b-2026-01-01-00-00-00'));
    assert.equal((await send(deflateSync(prolog('a-2026-01-01-00-00-00')), auth)).statusCode, 200);
    const before = (await agents()).length;
    await h.expect(204, 'DELETE', `/api/v1/enrolment-tokens/${once.user}`, { token: orgAdmin });
    assert.equal((await send(deflateSync(prolog('a-2026-01-01-00-00-00')), auth)).statusCode, 401);
    assert.equal((await agents()).length, before);
  });

  test("a Taskwarden agent's device id is not taken over, and a disabled agent is refused", async () => {
    const enrolment = await token(1);
    const taskwarden = await h.app.inject({
      method: 'POST',
      url: '/agent/v1/enrol',
      payload: { token: enrolment.password, deviceId: 'server-9' },
    });
    assert.equal(taskwarden.statusCode, 201, taskwarden.body);
    const auth = { authorization: basic(credential.user, credential.password) };
    const taken = await send(deflateSync(prolog('server-9')), auth);
    assert.equal(taken.statusCode, 403);
    assert.match(taken.json().error.message, /enrolled as a Taskwarden agent/);

    const fi = (await agents()).find((a: { deviceId: string }) => a.deviceId === 'desk-7-2026-01-01-00-00-00');
    await h.expect(200, 'PATCH', `/api/v1/agents/${fi.id}`, { token: orgAdmin, body: { enabled: false } });
    assert.equal((await send(deflateSync(prolog(fi.deviceId)), auth)).statusCode, 403);
    await h.expect(200, 'PATCH', `/api/v1/agents/${fi.id}`, { token: orgAdmin, body: { enabled: true } });
  });

  test('what is not an agent message is refused naming what is wrong', async () => {
    const auth = { authorization: basic(credential.user, credential.password) };
    const cases: [Buffer | string, Record<string, string>, number, RegExp][] = [
      [deflateSync('<REQUEST><DEVICEID>x</REQUEST>'), auth, 400, /^body: is not well-formed/],
      [deflateSync('<REQUEST><DEVICEID>x</DEVICEID><QUERY>SNMPQUERY</QUERY></REQUEST>'), auth, 400, /REQUEST.QUERY/],
      ['{"a":1}', { ...auth, 'content-type': 'application/json' }, 400, /^body/],
      ['hello', { ...auth, 'content-type': 'text/plain' }, 415, /./],
    ];
    for (const [body, headers, status, message] of cases) {
      const reply = await send(body, headers);
      assert.equal(reply.statusCode, status, reply.body);
      assert.match(reply.json().error.message, message);
    }
  });

  test("reports name only the caller's own jobs", async () => {
    const auth = { authorization: basic(credential.user, credential.password) };
    const discovery = (pid: string) =>
      deflateSync(
        `<REQUEST><DEVICEID>desk-7-2026-01-01-00-00-00</DEVICEID><QUERY>NETDISCOVERY</QUERY>` +
          `<CONTENT><PROCESSNUMBER>${pid}</PROCESSNUMBER><AGENT><END>1</END></AGENT></CONTENT></REQUEST>`,
      );
    assert.equal((await send(discovery('7.1'), auth)).statusCode, 404);
    assert.equal((await send(discovery('not-a-pid'), auth)).statusCode, 400);
    const status = await h.app.inject({
      method: 'GET',
      url: `${PATH}?action=setStatus&machineid=desk-7-2026-01-01-00-00-00&part=job&status=ok&uuid=01a20d91-8b9c-7175-b07c-84286102117c.1`,
      headers: auth,
    });
    assert.equal(status.statusCode, 404);
    const config = await h.app.inject({
      method: 'GET',
      url: `${PATH}?action=getConfig&machineid=desk-7-2026-01-01-00-00-00&task[Deploy]=2.8`,
      headers: auth,
    });
    assert.deepEqual(config.json(), { schedule: [] }, 'no deploy job: the Deploy task is not sent anywhere');
  });

  describe('jobs, over the protocol', () => {
    const deviceId = 'desk-7-2026-01-01-00-00-00';
    const auth = () => ({ authorization: basic(credential.user, credential.password) });
    const message = (query: string, content: string) =>
      deflateSync(
        `<REQUEST><DEVICEID>${deviceId}</DEVICEID><QUERY>${query}</QUERY><CONTENT>${content}</CONTENT></REQUEST>`,
      );
    /** Runs a one-job task on the agent and waits until its jobstate is prepared. */
    const prepared = async (name: string, job: Record<string, unknown>) => {
      const body = { name, schedule: { kind: 'manual' }, jobs: [{ name, targets: { tags: ['lab'] }, ...job }] };
      const task = await h.expect(201, 'POST', '/api/v1/tasks', { token: orgAdmin, body });
      const run = await h.expect(201, 'POST', `/api/v1/tasks/${task.json.id}/runs`, { token: orgAdmin });
      let js: { id: string; status: string; result: unknown; reason: string | null } = {
        id: '',
        status: '',
        result: null,
        reason: null,
      };
      await waitFor(async () => {
        js = (await h.expect(200, 'GET', `/api/v1/runs/${run.json.id}/jobstates`, { token: orgAdmin })).json.items[0];
        return js?.status === 'prepared';
      }, `${name} to be prepared`);
      return {
        jobstate: js.id,
        get: async () => (await h.expect(200, 'GET', `/api/v1/jobstates/${js.id}`, { token: orgAdmin })).json,
      };
    };
    const prologText = async () =>
      inflateSync((await send(deflateSync(prolog(deviceId)), auth())).rawPayload).toString();

    test("devices reported at once by the agent's scan threads are all kept until END, which ends the job with them", async () => {
      const job = await prepared('discover', { module: 'netdiscovery', params: { ranges: ['10.9.0.0/28'] } });
      const pid = /PID="([\d.]+)"/.exec(await prologText())?.[1] as string;
      assert.ok(pid, 'the PROLOG hands the discovery out');
      const device = (ip: string) =>
        message(
          'NETDISCOVERY',
          `<DEVICE><IP>${ip}</IP><DNSHOSTNAME>h${ip}</DNSHOSTNAME></DEVICE><PROCESSNUMBER>${pid}</PROCESSNUMBER>`,
        );
      const ips = Array.from({ length: 12 }, (_, i) => `10.9.0.${i + 1}`);
      const replies = await Promise.all([...ips, '192.168.7.7'].map((ip) => send(device(ip), auth())));
      assert.deepEqual(new Set(replies.map((r) => r.statusCode)), new Set([200]));
      const end = message('NETDISCOVERY', `<AGENT><END>1</END></AGENT><PROCESSNUMBER>${pid}</PROCESSNUMBER>`);
      assert.equal((await send(end, auth())).statusCode, 200);
      assert.equal((await send(end, auth())).statusCode, 200, 'the second END of the agent is answered too');
      const js = await job.get();
      assert.deepEqual([js.status, js.result], ['finished', { addresses: 16, found: 12, created: 12, updated: 0 }]);
      const logs = (await h.expect(200, 'GET', `/api/v1/jobstates/${job.jobstate}/logs`, { token: orgAdmin })).json
        .items;
      assert.ok(logs.some((l: { line: string }) => l.line === 'ignored 192.168.7.7: not in the ranges of the job'));
    });

    test('a job handed at a PROLOG and never reported ends agent_lost at the next one, saying why', async () => {
      const job = await prepared('never-sent', { module: 'inventory' });
      assert.match(await prologText(), /<RESPONSE>SEND<\/RESPONSE>/);
      assert.equal((await job.get()).status, 'running');
      await prologText();
      const js = await job.get();
      assert.deepEqual([js.status, js.reason], ['error', 'agent_lost']);
      const logs = (await h.expect(200, 'GET', `/api/v1/jobstates/${job.jobstate}/logs`, { token: orgAdmin })).json
        .items;
      assert.ok(
        logs.some((l: { line: string }) => /previous run did not report this job/.test(l.line)),
        JSON.stringify(logs),
      );
    });

    test('a deploy job the agent cannot run ends ko at getJobs, saying why', async () => {
      const upload = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages/files',
        headers: { authorization: `Bearer ${orgAdmin}`, 'content-type': 'application/octet-stream' },
        payload: tarBytes([{ name: 'a.txt', content: 'a' }]),
      });
      const command = { name: 'is-there', argv: ['test', '-e', '/opt/a.txt'], params: {}, runsOn: 'agent' };
      await h.expect(201, 'POST', '/api/v1/commands', { token: orgAdmin, body: command });
      const pkg = {
        name: 'checked',
        version: '1',
        archive: upload.json().sha256,
        checks: [{ type: 'command', command: 'is-there' }],
        steps: [{ type: 'extract', to: '/opt' }],
      };
      await h.expect(200, 'PATCH', '/api/v1/orgs/fi', { body: { extractPrefixes: ['/opt'] } });
      await h.expect(201, 'POST', '/api/v1/packages', { token: orgAdmin, body: pkg });
      const job = await prepared('command-check', { module: 'deploy', params: { package: 'checked' } });
      await prologText();
      const get = (action: string) =>
        h.app.inject({ method: 'GET', url: `${PATH}?action=${action}&machineid=${deviceId}`, headers: auth() });
      assert.equal((await get('getConfig')).json().schedule[0].task, 'Deploy');
      assert.deepEqual((await get('getJobs')).json(), {});
      const js = await job.get();
      assert.deepEqual([js.status, js.result.outcome], ['error', 'ko']);
      assert.match(js.result.error, /FusionInventory agents have no command check/);
    });
  });
});
