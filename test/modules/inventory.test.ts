// Inventory: collected on this very machine, `df -kP` parsed, stored by the server half in a
// real store with a field-level history of what changed between two reports.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../src/core/ids.ts';
import type { ModuleServices, SummaryInput } from '../../src/core/ports/module.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { collectInventory, parseDf } from '../../src/modules/inventory/collect.ts';
import { diffInventory } from '../../src/modules/inventory/diff.ts';
import { inventoryModule } from '../../src/modules/inventory/index.ts';
import type { Inventory } from '../../src/modules/inventory/schema.ts';
import { macsOf } from '../../src/modules/sdk/index.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { makeAgent } from '../store/fixtures.ts';
import { openTestStore } from '../support/store.ts';
import { agentJobContext } from './agent-job-context.ts';

const sample = (): Inventory => ({
  hostname: 'pc-accounting-1',
  os: { name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0-18-amd64', arch: 'x64' },
  cpu: { model: 'Intel(R) Core(TM) i5', cores: 4 },
  memory: { totalBytes: 8 * 2 ** 30 },
  disks: [
    { mount: '/', fs: '/dev/sda1', sizeBytes: 100 * 2 ** 30, freeBytes: 40 * 2 ** 30 },
    { mount: '/home', fs: '/dev/sda2', sizeBytes: 400 * 2 ** 30, freeBytes: 300 * 2 ** 30 },
  ],
  interfaces: [
    { name: 'lo', mac: null, addresses: ['127.0.0.1/8'], internal: true },
    { name: 'eth0', mac: '00:11:22:33:44:55', addresses: ['192.168.1.20/24'], internal: false },
  ],
});

describe('inventory, agent half', () => {
  test('collects this machine: a hostname, an OS, CPUs and at least one network interface', async () => {
    const { ctx, logs } = agentJobContext({}, null);
    const outcome = await inventoryModule.agent!.run(ctx as never);
    assert.equal(outcome.ok, true);
    const inventory = outcome.result as Inventory;
    assert.ok(inventory.hostname.length > 0);
    assert.ok(inventory.os.kernel.length > 0 && inventory.os.arch.length > 0);
    assert.ok(inventory.cpu.cores >= 1 && inventory.memory.totalBytes > 0);
    assert.ok(inventory.interfaces.length >= 1);
    assert.ok(inventory.interfaces.some((nic) => nic.addresses.length > 0));
    for (const disk of inventory.disks) assert.ok(disk.mount.startsWith('/') && disk.sizeBytes > 0);
    assert.match(logs[0]?.line ?? '', new RegExp(`^${inventory.hostname}: `));
    assert.deepEqual(await collectInventory(new AbortController().signal).then((i) => i.hostname), inventory.hostname);
  });

  test('df -kP output: sizes in KiB, mount points with spaces, pseudo filesystems and bind mounts left out', () => {
    const disks = parseDf([
      'Filesystem     1024-blocks      Used Available Capacity Mounted on',
      '/dev/sda1        102400000  61440000  40960000      61% /',
      'tmpfs               812345         0    812345       0% /run',
      '/dev/sdb1             2048      1024      1024      50% /media/USB Stick',
      '/dev/sda1        102400000  61440000  40960000      61% /',
      'proc                     0         0         0        - /proc',
    ]);
    assert.deepEqual(disks, [
      { mount: '/', fs: '/dev/sda1', sizeBytes: 102400000 * 1024, freeBytes: 40960000 * 1024 },
      { mount: '/media/USB Stick', fs: '/dev/sdb1', sizeBytes: 2048 * 1024, freeBytes: 1024 * 1024 },
    ]);
  });
});

describe('inventory, server half', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let orgId: string;
  let services: ModuleServices;
  before(async () => {
    ({ store, cleanup } = await openTestStore());
    orgId = (await store.orgs.create({ id: newId(), name: 'acme', createdAt: 0 })).id;
    services = createModuleServices(store)(orgId);
  });

  /** An agent of the org: the services store inventories of the org's agents only. */
  const enrolled = async () => (await store.agents.create(makeAgent(orgId))).id;
  after(() => cleanup());

  const accept = (agentId: string, result: unknown, jobstateId = newId()) =>
    inventoryModule.accept!({
      params: {},
      jobstate: { id: jobstateId, runId: 'r', taskId: 't', orgId, job: 'inventory', attempt: 1, agentId },
      services,
      agentId,
      outcome: { ok: true, result },
    });

  test('stores the first inventory, then records what a second one changed', async () => {
    const agentId = await enrolled();
    assert.deepEqual(await accept(agentId, sample()), {
      ok: true,
      result: { hostname: 'pc-accounting-1', first: true, changes: 0 },
    });
    assert.deepEqual((await store.inventories.get(agentId))?.data, sample());
    assert.deepEqual((await store.inventories.listHistory(agentId, { limit: 10 })).items, []);

    const next = sample();
    next.os.version = '12.5';
    next.disks[1] = { mount: '/home', fs: '/dev/sda2', sizeBytes: 400 * 2 ** 30, freeBytes: 1 };
    next.disks.push({ mount: '/data', fs: '/dev/sdb1', sizeBytes: 2 ** 40, freeBytes: 2 ** 40 });
    next.interfaces[1]!.addresses = ['192.168.1.21/24'];
    const jobstateId = newId();
    assert.deepEqual(await accept(agentId, next, jobstateId), {
      ok: true,
      result: { hostname: 'pc-accounting-1', first: false, changes: 5 },
    });
    const [entry, ...rest] = (await store.inventories.listHistory(agentId, { limit: 10 })).items;
    assert.deepEqual(rest, []);
    assert.equal(entry?.jobstateId, jobstateId);
    // Free space changed on /home and is new on /data: neither is recorded.
    assert.deepEqual(entry?.changes, [
      { path: 'disks[/data].fs', to: '/dev/sdb1' },
      { path: 'disks[/data].mount', to: '/data' },
      { path: 'disks[/data].sizeBytes', to: 2 ** 40 },
      { path: 'interfaces[eth0].addresses', from: ['192.168.1.20/24'], to: ['192.168.1.21/24'] },
      { path: 'os.version', from: '12', to: '12.5' },
    ]);
    assert.deepEqual((await store.inventories.get(agentId))?.data, next);
  });

  test('an unchanged inventory adds no history; an invalid one is refused and stores nothing', async () => {
    const agentId = await enrolled();
    await accept(agentId, sample());
    assert.deepEqual((await accept(agentId, sample())).result, {
      hostname: 'pc-accounting-1',
      first: false,
      changes: 0,
    });
    const bad = { ...sample(), interfaces: [{ name: 'eth0', mac: 'not-a-mac', addresses: [], internal: false }] };
    const refused = await accept(agentId, bad);
    assert.equal(refused.ok, false);
    assert.match((refused.result as { error: string }).error, /result\.interfaces\[0\]\.mac/);
    assert.deepEqual((await store.inventories.get(agentId))?.data, sample());
    assert.deepEqual((await store.inventories.listHistory(agentId, { limit: 10 })).items, []);
  });

  test('a failed agent run is passed on untouched', async () => {
    const outcome = { ok: false, reason: 'timeout' as const, result: null };
    const jobstate = { id: 'js', runId: 'r', taskId: 't', orgId, job: 'i', attempt: 1, agentId: 'a' };
    assert.deepEqual(await inventoryModule.accept!({ params: {}, jobstate, services, agentId: 'a', outcome }), outcome);
  });
});

describe('inventory helpers', () => {
  test('diff: removed interfaces and disks read as gone; free space is not a change', () => {
    const before = sample();
    const after = sample();
    after.interfaces = [after.interfaces[1]!];
    after.disks[0]!.freeBytes = 1;
    assert.deepEqual(diffInventory({ ...before }, { ...after }), [
      { path: 'interfaces[lo].addresses', from: ['127.0.0.1/8'] },
      { path: 'interfaces[lo].internal', from: true },
      { path: 'interfaces[lo].mac', from: null },
      { path: 'interfaces[lo].name', from: 'lo' },
    ]);
  });

  test('the MACs of a stored inventory, without loopback or duplicates', () => {
    const inventory = sample();
    inventory.interfaces.push({ name: 'eth0.10', mac: '00:11:22:33:44:55', addresses: [], internal: false });
    assert.deepEqual(macsOf({ ...inventory }), ['00:11:22:33:44:55']);
    assert.deepEqual(macsOf(null), []);
    assert.deepEqual(macsOf({ interfaces: 'garbage' }), []);
  });

  test('summary: "N inventoried, M changed"', () => {
    const js = (status: SummaryInput['status'], result: unknown): SummaryInput => ({
      job: 'i',
      agentId: 'a',
      status,
      reason: null,
      result,
    });
    assert.deepEqual(
      inventoryModule.summarize!([
        js('finished', { hostname: 'a', first: false, changes: 3 }),
        js('finished', { hostname: 'b', first: false, changes: 0 }),
        js('finished', { hostname: 'c', first: true, changes: 0 }),
        js('error', null),
      ]),
      { details: '3 inventoried, 1 changed, 1 failed', lines: ['first inventory : 1'] },
    );
  });
});
