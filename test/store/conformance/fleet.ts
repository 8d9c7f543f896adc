// The fleet repos: inventories with their history, discovered devices, package files and packages.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../../src/core/ids.ts';
import type { PackageRecord } from '../../../src/core/ports/fleet.ts';
import { makeOrg, T0 } from '../fixtures.ts';
import { ids, type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

const SHA = 'a'.repeat(64);

const makePackage = (orgId: string, over: Partial<PackageRecord> = {}): PackageRecord => ({
  id: newId(),
  orgId,
  name: 'libreoffice',
  version: '24.8',
  sha256: SHA,
  size: 1234,
  manifest: { checks: [{ type: 'file-exists', path: '/opt/lo' }], steps: [{ type: 'extract', to: '/opt/lo' }] },
  createdAt: T0,
  createdBy: null,
  ...over,
});

export function fleetCases(open: OpenStore): void {
  describe('fleet', () => {
    storeTest(open, 'an inventory is replaced per agent; history entries list oldest first', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const agentId = newId();
      assert.equal(await store.inventories.get(agentId), null);
      const first = { agentId, orgId: org.id, data: { hostname: 'pc-1' }, collectedAt: T0, jobstateId: null };
      await store.inventories.put(first);
      assert.deepEqual(await store.inventories.get(agentId), first);
      const second = {
        ...first,
        data: { hostname: 'pc-2', os: { name: 'Debian' } },
        collectedAt: T0 + 1,
        jobstateId: 'js',
      };
      await store.inventories.put(second);
      assert.deepEqual(await store.inventories.get(agentId), second);

      const entries = [1, 2, 3].map((n) => ({
        id: newId(),
        agentId,
        orgId: org.id,
        jobstateId: `js-${n}`,
        at: T0 + n,
        changes: [
          { path: 'hostname', from: `pc-${n}`, to: `pc-${n + 1}` },
          { path: 'os.name', to: 'Debian' },
        ],
      }));
      for (const entry of entries) await store.inventories.addHistory(entry);
      await store.inventories.addHistory({ ...entries[0]!, id: newId(), agentId: newId() });
      const { items, pages } = await walk((p) => store.inventories.listHistory(agentId, p), 2);
      assert.equal(pages, 2);
      assert.deepEqual(items, entries);
    });

    storeTest(open, 'devices: new addresses are created, known ones updated, per org', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const first = await store.devices.record(
        org.id,
        [
          { ip: '10.0.0.1', ports: [443, 22], hostname: 'gw' },
          { ip: '10.0.0.2', ports: [9100], hostname: null },
        ],
        T0,
        'js-1',
      );
      assert.deepEqual(first, { created: 2, updated: 0 });
      const second = await store.devices.record(
        org.id,
        [
          { ip: '10.0.0.1', ports: [22], hostname: null },
          { ip: '10.0.0.3', ports: [80], hostname: 'web' },
        ],
        T0 + 10,
        'js-2',
      );
      assert.deepEqual(second, { created: 1, updated: 1 });
      assert.deepEqual(
        await store.devices.record(other.id, [{ ip: '10.0.0.1', ports: [22], hostname: null }], T0, null),
        {
          created: 1,
          updated: 0,
        },
      );

      const { items } = await walk((p) => store.devices.list({ orgId: org.id }, p), 2);
      assert.deepEqual(
        items.map((d) => [d.ip, d.ports, d.hostname, d.firstSeen, d.lastSeen, d.lastJobstateId]),
        [
          ['10.0.0.1', [22], 'gw', T0, T0 + 10, 'js-2'],
          ['10.0.0.2', [9100], null, T0, T0, 'js-1'],
          ['10.0.0.3', [80], 'web', T0 + 10, T0 + 10, 'js-2'],
        ],
      );
      assert.equal((await store.devices.list({}, { limit: 10 })).items.length, 4);
      const device = items[0]!;
      assert.deepEqual(await store.devices.get(device.id), device);
      assert.equal(device.orgId, org.id);
    });

    storeTest(open, 'a large discovery is recorded in one call', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const sightings = Array.from({ length: 1200 }, (_, i) => ({
        ip: `10.1.${i >> 8}.${i & 255}`,
        ports: [22],
        hostname: null,
      }));
      assert.deepEqual(await store.devices.record(org.id, sightings, T0, null), { created: 1200, updated: 0 });
      assert.deepEqual(await store.devices.record(org.id, sightings, T0 + 1, null), { created: 0, updated: 1200 });
    });

    storeTest(open, 'package files belong to the org that uploaded them', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const file = { orgId: org.id, sha256: SHA, size: 1234, createdAt: T0 };
      assert.deepEqual(await store.packages.addFile(file), { status: 'added' });
      assert.deepEqual(await store.packages.addFile({ ...file, createdAt: T0 + 5 }), { status: 'existing' });
      assert.deepEqual(await store.packages.getFile(org.id, SHA), file);
      assert.equal(await store.packages.getFile(other.id, SHA), null);
    });

    storeTest(open, "an org's files stay within its quota; content it already has costs nothing", async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const file = (sha256: string, size: number, orgId = org.id) => ({ orgId, sha256, size, createdAt: T0 });
      assert.equal(await store.packages.usedBytes(org.id), 0);
      assert.deepEqual(await store.packages.addFile(file('1'.repeat(64), 600), 1000), { status: 'added' });
      assert.deepEqual(await store.packages.addFile(file('2'.repeat(64), 401), 1000), {
        status: 'over_quota',
        usedBytes: 600,
      });
      assert.deepEqual(await store.packages.addFile(file('1'.repeat(64), 600), 600), { status: 'existing' });
      assert.deepEqual(await store.packages.addFile(file('3'.repeat(64), 400), 1000), { status: 'added' });
      assert.equal(await store.packages.usedBytes(org.id), 1000);
      // Another org's files are its own to count.
      assert.deepEqual(await store.packages.addFile(file('2'.repeat(64), 401, other.id), 1000), { status: 'added' });
      assert.equal(await store.packages.usedBytes(other.id), 401);
      assert.equal(await store.packages.getFile(org.id, '2'.repeat(64)), null);
    });

    storeTest(open, 'concurrent uploads of one org cannot both fit in the room left for one', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const outcomes = await Promise.all(
        ['4', '5', '6', '7'].map((c) =>
          store.transaction((tx) =>
            tx.packages.addFile({ orgId: org.id, sha256: c.repeat(64), size: 400, createdAt: T0 }, 1000),
          ),
        ),
      );
      assert.equal(outcomes.filter((o) => o.status === 'added').length, 2);
      assert.equal(await store.packages.usedBytes(org.id), 800);
    });

    storeTest(open, "unused files: only the org's, only old ones, never one a package uses", async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const add = (orgId: string, sha256: string, createdAt = T0) =>
        store.packages.addFile({ orgId, sha256, size: 10, createdAt });
      const [used, unused, recent, shared] = ['a', 'b', 'c', 'd'].map((c) => c.repeat(64)) as [
        string,
        string,
        string,
        string,
      ];
      for (const sha256 of [used, unused, shared]) await add(org.id, sha256);
      await add(org.id, recent, T0 + 1000);
      await add(other.id, shared);
      await store.packages.create(makePackage(org.id, { sha256: used }));

      assert.equal(await store.packages.deleteUnreferencedFiles(org.id, T0 + 1000, 1), 1);
      assert.equal(await store.packages.deleteUnreferencedFiles(org.id, T0 + 1000, 10), 1);
      assert.equal(await store.packages.deleteUnreferencedFiles(org.id, T0 + 1000, 10), 0);
      assert.ok(await store.packages.getFile(org.id, used));
      assert.ok(await store.packages.getFile(org.id, recent));
      assert.equal(await store.packages.getFile(org.id, unused), null);
      assert.equal(await store.packages.getFile(org.id, shared), null);
      assert.ok(await store.packages.getFile(other.id, shared), "the other org's record stays");
      assert.deepEqual(
        [...(await store.packages.recordedFiles([used, unused, recent, shared]))].sort(),
        [used, recent, shared].sort(),
      );
      assert.deepEqual(await store.packages.recordedFiles([]), new Set());
    });

    storeTest(open, 'packages: (org, name, version) is unique; find takes a version or the latest', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      await store.packages.addFile({ orgId: org.id, sha256: SHA, size: 1234, createdAt: T0 });
      const v1 = await store.packages.create(makePackage(org.id, { version: '1.0' }));
      const v2 = await store.packages.create(makePackage(org.id, { version: '2.0', createdBy: 'user-1' }));
      const tool = await store.packages.create(makePackage(org.id, { name: 'tool', version: '1.0' }));
      await rejectsWithCode(
        store.packages.create(makePackage(org.id, { version: '1.0' })),
        'package_version_taken',
        /libreoffice/,
      );
      // The archive must be one of the org's files.
      await assert.rejects(store.packages.create(makePackage(other.id)));

      assert.deepEqual(await store.packages.get(v1.id), v1);
      assert.deepEqual(await store.packages.find(org.id, 'libreoffice'), v2);
      assert.deepEqual(await store.packages.find(org.id, 'libreoffice', '1.0'), v1);
      assert.equal(await store.packages.find(org.id, 'libreoffice', '3.0'), null);
      assert.equal(await store.packages.find(other.id, 'libreoffice'), null);

      assert.deepEqual(
        ids((await walk((p) => store.packages.list({ orgId: org.id }, p), 2)).items),
        ids([v1, v2, tool]),
      );
      assert.deepEqual(ids((await store.packages.list({ orgId: org.id, name: 'tool' }, { limit: 10 })).items), [
        tool.id,
      ]);
      assert.deepEqual((await store.packages.list({ orgId: other.id }, { limit: 10 })).items, []);

      await store.packages.delete(v2.id);
      assert.deepEqual(await store.packages.find(org.id, 'libreoffice'), v1);
    });
  });
}
