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
      assert.equal(await store.packages.addFile(file), true);
      assert.equal(await store.packages.addFile({ ...file, createdAt: T0 + 5 }), false);
      assert.deepEqual(await store.packages.getFile(org.id, SHA), file);
      assert.equal(await store.packages.getFile(other.id, SHA), null);
    });

    storeTest(open, 'packages: (org, name, version) is unique; find takes a version or the latest', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      await store.packages.addFile({ orgId: org.id, sha256: SHA, size: 1234, createdAt: T0 });
      const v1 = await store.packages.create(makePackage(org.id, { version: '1.0' }));
      const v2 = await store.packages.create(makePackage(org.id, { version: '2.0', createdBy: 'user-1' }));
      const tool = await store.packages.create(makePackage(org.id, { name: 'tool', version: '1.0' }));
      await rejectsWithCode(store.packages.create(makePackage(org.id, { version: '1.0' })), 'conflict', /libreoffice/);
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
