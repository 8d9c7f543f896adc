// Attacks on the server's disk through package uploads (issue 12: "unreferenced package
// blobs are never deleted (no quota: an operator can fill the disk)"). Each org has a
// storage quota (the global admin's setting) enforced on upload; housekeeping deletes the
// uploads no package references once past a grace period, and blobs no org records.
// Real files in the harness's data folder; its clock is shifted to make uploads old.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { type Clock, systemClock } from '../../src/core/clock.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const DAY = 86_400_000;

describe('security: package storage', () => {
  let h: ServerHarness;
  // Uploads are made two days in the past; housekeeping runs at shift 0.
  let shift = -2 * DAY;
  const clock: Clock = { ...systemClock, now: () => Date.now() + shift };
  const orgs: Record<string, { id: string; operator: string; orgAdmin: string }> = {};

  before(async () => {
    h = await startServerHarness({ clock });
    for (const name of ['disk-a', 'disk-b']) {
      const org = await h.createOrg(name);
      const operator = (await h.createUser(org.id, `${name}-op`, 'operator')).token;
      const orgAdmin = (await h.createUser(org.id, `${name}-admin`, 'org-admin')).token;
      orgs[name] = { id: org.id, operator, orgAdmin };
    }
  });
  after(() => h.cleanup());

  const org = (name: string) => orgs[name] as { id: string; operator: string; orgAdmin: string };
  const files = async () => (await readdir(join(h.dataDir, 'packages')).catch(() => [] as string[])).sort();
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  function upload(name: string, body: Buffer | Readable) {
    return h.app.inject({
      method: 'POST',
      url: '/api/v1/packages/files',
      headers: { authorization: `Bearer ${org(name).operator}`, 'content-type': 'application/octet-stream' },
      payload: body,
    });
  }

  async function uploaded(name: string, bytes: Buffer): Promise<string> {
    const reply = await upload(name, bytes);
    assert.ok([200, 201].includes(reply.statusCode), reply.body);
    return reply.json().sha256;
  }

  async function housekeeping(name: string) {
    const task = await h.expect(201, 'POST', `/api/v1/tasks?org=${org(name).id}`, {
      body: {
        name: `hk-${randomBytes(4).toString('hex')}`,
        schedule: { kind: 'manual' },
        jobs: [{ name: 'hk', module: 'housekeeping', params: {}, targets: { server: true } }],
      },
    });
    const run = await h.expect(201, 'POST', `/api/v1/tasks/${task.json.id}/runs`);
    for (let i = 0; i < 500; i++) {
      const current = (await h.expect(200, 'GET', `/api/v1/runs/${run.json.id}`)).json;
      if (['finished', 'error', 'cancelled'].includes(current.status)) {
        assert.equal(current.status, 'finished', JSON.stringify(current));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail('housekeeping did not end');
  }

  test('attack: an operator uploads past the org quota → 413 saying used/quota/size, no file left behind', async () => {
    const quota = await h.call('PATCH', `/api/v1/orgs/${org('disk-a').id}`, { body: { packageQuota: 5000 } });
    const first = randomBytes(3000);
    assert.equal((await upload('disk-a', first)).statusCode, 201);
    const before = await files();

    const refused = await upload('disk-a', randomBytes(3000));
    assert.equal(refused.statusCode, 413, refused.body);
    assert.equal(refused.json().error.code, 'payload_too_large');
    assert.match(refused.json().error.message, /3000 of 5000 bytes.*3000/);
    // Streamed without a length: cut where it passes the quota.
    const streamed = await upload('disk-a', Readable.from([randomBytes(1500), randomBytes(1500)]));
    assert.equal(streamed.statusCode, 413, streamed.body);
    assert.deepEqual(await files(), before, 'a refused upload leaves no file');
    assert.equal(quota.status, 200, quota.body);
    await h.expect(403, 'PATCH', `/api/v1/orgs/${org('disk-a').id}`, {
      token: org('disk-a').orgAdmin,
      body: { packageQuota: 10 ** 12 },
    });

    // The same content again is already the org's: it costs nothing.
    assert.equal((await upload('disk-a', first)).statusCode, 200);
    const view = await h.expect(200, 'GET', `/api/v1/orgs/${org('disk-a').id}`, { token: org('disk-a').operator });
    assert.deepEqual([view.json.packageBytes, view.json.packageQuota], [3000, 5000]);
    await h.expect(200, 'PATCH', `/api/v1/orgs/${org('disk-a').id}`, { body: { packageQuota: null } });
  });

  test('housekeeping deletes uploads no package references once past the grace; shared and recent ones stay', async () => {
    const shared = randomBytes(2000);
    const usedByA = await uploaded('disk-a', shared);
    await uploaded('disk-b', shared);
    await uploaded('disk-a', randomBytes(1000));
    const strayB = await uploaded('disk-b', randomBytes(1000));
    // Asserted by the registration just below (its /opt folder needs the prefix).
    await h.call('PATCH', `/api/v1/orgs/${org('disk-a').id}`, { body: { extractPrefixes: ['/opt'] } });
    await h.expect(201, 'POST', '/api/v1/packages', {
      token: org('disk-a').operator,
      body: { name: 'kept', version: '1', archive: usedByA, steps: [{ type: 'extract', to: '/opt/kept' }] },
    });
    // Leftovers of a crash: a blob no org records and an upload that never finished.
    const orphan = sha(Buffer.from('orphan'));
    await writeFile(join(h.dataDir, 'packages', orphan), 'orphan');
    await writeFile(join(h.dataDir, 'packages', 'upload-0123456789abcdef.part'), 'half');
    const old = new Date(Date.now() - 2 * DAY);
    for (const name of await files()) await utimes(join(h.dataDir, 'packages', name), old, old);

    shift = 0;
    const recent = await uploaded('disk-a', randomBytes(500));
    await writeFile(join(h.dataDir, 'packages', 'upload-fedcba9876543210.part'), 'in progress');

    await housekeeping('disk-a');
    assert.deepEqual(await files(), [strayB, usedByA, recent, 'upload-fedcba9876543210.part'].sort());
    const view = await h.expect(200, 'GET', `/api/v1/orgs/${org('disk-a').id}`);
    // Org A still records its package's file and the recent upload (the first test's file was pruned).
    assert.equal(view.json.packageBytes, 2000 + 500);

    // Org B's housekeeping drops B's records only; the shared blob stays while A's package uses it.
    await housekeeping('disk-b');
    assert.deepEqual(await files(), [usedByA, recent, 'upload-fedcba9876543210.part'].sort());
    assert.equal((await h.expect(200, 'GET', `/api/v1/orgs/${org('disk-b').id}`)).json.packageBytes, 0);
  });
});
