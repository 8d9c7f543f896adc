// Attack (issue 12, item 5): agent names and tags carrying terminal escape codes (and bidi
// overrides) into `taskwarden agent list` and the UI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import { resolveServerConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/start.ts';
import { makeAgent } from '../store/fixtures.ts';
import { BIN, cliEnv } from '../support/cli.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { noopTask, type Org, setUpOrg } from './web-support.ts';

describe('terminal escape codes in names', () => {
  const ESCAPES = '\u001b]0;pwned\u0007\u001b[2J';
  let h: ServerHarness;
  let org: Org;
  let agentId: string;
  let enrolmentToken: string;
  before(async () => {
    h = await startServerHarness();
    org = await setUpOrg(h, 'esc');
    const token = (
      await h.expect(201, 'POST', '/api/v1/enrolment-tokens', {
        token: org.orgAdmin,
        body: { uses: 10, expiresIn: '1h' },
      })
    ).json.token;
    const enrolled = await h.expect(201, 'POST', '/agent/v1/enrol', {
      token: null,
      body: { token, deviceId: 'ok-01', name: 'Poste de José – 2ᵉ étage' },
    });
    agentId = enrolled.json.agentId;
    enrolmentToken = token;
  });
  after(() => h.cleanup());

  test('attack: an agent enrols with escape codes in its name', async () => {
    for (const body of [
      { deviceId: 'esc-01', name: ESCAPES },
      { deviceId: 'esc-02', name: 'a\u202Eexe.txt' },
      { deviceId: 'esc-03', version: '1.0\u009b2J' },
    ]) {
      const reply = await h.call('POST', '/agent/v1/enrol', { token: null, body: { token: enrolmentToken, ...body } });
      assert.equal(reply.status, 400, `enrol ${JSON.stringify(body)} → ${reply.status}`);
      assert.equal(reply.json.error.code, 'invalid_input');
    }
    const agents = (await h.expect(200, 'GET', '/api/v1/agents', { token: org.orgAdmin })).json.items;
    assert.deepEqual(
      agents.map((a: { name: string }) => a.name),
      ['Poste de José – 2ᵉ étage'],
    );
  });

  test('attack: names, tags and descriptions set through the API carry control characters', async () => {
    const refused: [string, string, unknown][] = [
      ['PATCH', `/api/v1/agents/${agentId}`, { name: 'x\u001b[31m' }],
      ['PATCH', `/api/v1/agents/${agentId}`, { tags: ['ok', 'bell\u0007'] }],
      ['POST', '/api/v1/enrolment-tokens', { uses: 1, expiresIn: '1h', tags: ['\u202Eevil'] }],
      ['POST', '/api/v1/tasks', { ...noopTask('t1'), description: 'line\u001b[2K' }],
      ['POST', '/api/v1/commands', { name: 'c1', argv: ['true'], runsOn: 'agent', description: 'x\u0085y' }],
      ['POST', `/api/v1/users/${newId()}/tokens`, { name: 'ci\u001b]0;x\u0007' }],
      ['POST', '/api/v1/packages', { name: 'p', version: '1\u007f', archive: '0'.repeat(64), steps: [] }],
    ];
    for (const [method, url, body] of refused) {
      const reply = await h.call(method, url, { token: org.orgAdmin, body });
      assert.equal(reply.status, 400, `${method} ${url} ${JSON.stringify(body)} → ${reply.status} ${reply.body}`);
      assert.equal(reply.json.error.code, 'invalid_input');
      assert.match(reply.json.error.message, /control|printable/);
    }
    const renamed = await h.expect(200, 'PATCH', `/api/v1/agents/${agentId}`, {
      token: org.orgAdmin,
      body: { name: 'Büro 3 · 東京', tags: ['étage-2'] },
    });
    assert.equal(renamed.json.name, 'Büro 3 · 東京');
  });

  test('attack: `taskwarden agent list` prints a stored name’s escape codes raw', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-esc-'));
    const config = resolveServerConfig({ data: join(dir, 'data'), port: '0' }, { TASKWARDEN_LOG_LEVEL: 'silent' }, dir);
    const server = await startServer(config);
    try {
      // Data from before the rule (or a FusionInventory device name) is not checked by it.
      const now = Date.now();
      const acme = await server.store.orgs.create({ id: newId(), name: 'acme', createdAt: now });
      await server.store.agents.create(
        makeAgent(acme.id, { deviceId: 'old-01', name: ESCAPES, tags: ['\u001b[31mred'], createdAt: now }),
      );
      const admin = (await readFile(join(dir, 'data', 'admin.token'), 'utf8')).trim();
      const child = spawn(process.execPath, [BIN, 'agent', 'list', '--server', server.url, '--token', admin], {
        env: cliEnv(),
      });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(code, 0);
      for (const raw of ['\u001b', '\u0007']) assert.ok(!stdout.includes(raw), JSON.stringify(stdout));
      assert.match(stdout, /\\x1b\]0;pwned\\x07\\x1b\[2J/);
    } finally {
      await server.close(1_000);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
