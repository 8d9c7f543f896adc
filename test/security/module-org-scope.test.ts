// Issue 12: a server-side module of an org reads and writes that org's rows only. Each
// module runs here as the engine runs it, with the services of org B (the engine binds a
// job's services to its org), over a real store that also holds org A's agents,
// inventories, devices, packages, commands, runs and logs; it is pointed at org A's rows
// by id or by name, and org A's rows must read as unknown and stay as they were.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import type { ModuleServices, PayloadContext } from '../../src/core/ports/module.ts';
import type { Store } from '../../src/core/ports/store.ts';
import { commandModule } from '../../src/modules/command/index.ts';
import { deployModule } from '../../src/modules/deploy/index.ts';
import { housekeepingModule } from '../../src/modules/housekeeping/index.ts';
import { inventoryModule } from '../../src/modules/inventory/index.ts';
import { netdiscoveryModule } from '../../src/modules/netdiscovery/index.ts';
import { noop } from '../../src/modules/noop/index.ts';
import { wakeonlanModule, wakeonlanRelayModule } from '../../src/modules/wakeonlan/index.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { jobContext } from '../modules/job-context.ts';
import { makeAgent, makeCommand, makeJobstate, makeLedger, makeOrg, makeRun, makeTask, T0 } from '../store/fixtures.ts';
import { openTestStore } from '../support/store.ts';

const DAY = 86_400_000;
const SHA = 'a'.repeat(64);
const INVENTORY = {
  hostname: 'a-pc',
  os: { name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0-18-amd64', arch: 'x64' },
  cpu: { model: 'Intel(R) Core(TM) i5', cores: 4 },
  memory: { totalBytes: 8 * 2 ** 30 },
  disks: [],
  interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', addresses: ['192.168.1.20/24'], internal: false }],
};

describe('security: each server-side module touches its own org’s rows only', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let listener: Server;
  let port: number;
  const clock = new FakeClock(T0 + 10 * DAY);
  const a = { org: '', agent: '', run: '', jobstate: '' };
  const b = { org: '', run: '' };
  /** The services a job of org B gets. */
  let servicesB: ModuleServices;

  /** A finished run of the org with one jobstate and a log line, ten days old. */
  const oldRun = async (orgId: string) => {
    const task = await store.tasks.create(makeTask(orgId));
    const run = makeRun(task, { status: 'finished', createdAt: T0 });
    await store.runs.insert(run);
    await store.runs.update(run.id, { finishedAt: T0 });
    const jobstate = makeJobstate(run, { status: 'finished' });
    await store.jobstates.insertMany([jobstate]);
    await store.logs.append(jobstate.id, 1, [{ ts: T0, stream: 'stdout', line: 'org A history' }]);
    return { run: run.id, jobstate: jobstate.id };
  };

  /** Org A's rows as they are: compared before and after each module ran. */
  const orgARows = async () => ({
    agent: await store.agents.get(a.agent),
    inventory: await store.inventories.get(a.agent),
    devices: (await store.devices.list({ orgId: a.org }, { limit: 100 })).items,
    packages: (await store.packages.list({ orgId: a.org }, { limit: 100 })).items,
    commands: (await store.commands.list(a.org, { limit: 100 })).items,
    run: await store.runs.get(a.run),
    logs: (await store.logs.list(a.jobstate, { limit: 100 })).items,
  });

  before(async () => {
    ({ store, cleanup } = await openTestStore());
    listener = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
    a.org = (await store.orgs.create(makeOrg({ name: 'org-a' }))).id;
    b.org = (await store.orgs.create(makeOrg({ name: 'org-b' }))).id;
    a.agent = (await store.agents.create(makeAgent(a.org, { tags: ['lab'], name: 'a-pc' }))).id;
    await store.inventories.put({ agentId: a.agent, orgId: a.org, data: INVENTORY, collectedAt: T0, jobstateId: null });
    await store.devices.record(a.org, [{ ip: '127.0.0.1', ports: [22], hostname: 'a-host' }], T0, null);
    await store.packages.addFile({ orgId: a.org, sha256: SHA, size: 1, createdAt: T0 });
    const manifest = { checks: [], steps: [{ type: 'extract', to: '/opt' }] };
    const pkg = { orgId: a.org, sha256: SHA, size: 1, manifest, createdAt: T0, createdBy: null, version: '1' };
    await store.packages.create({ ...pkg, id: 'pkg-a', name: 'a-app' });
    await store.packages.addFile({ orgId: b.org, sha256: SHA, size: 1, createdAt: T0 });
    const usesACommand = { checks: [], steps: [{ type: 'command', command: 'a-only', args: {} }] };
    await store.packages.create({ ...pkg, orgId: b.org, id: 'pkg-b', name: 'b-app', manifest: usesACommand });
    // An org command the global admin defined to run anywhere, for org A only.
    const aOnly = { name: 'a-only', argv: ['echo', 'org A'], params: {}, runsOn: 'both' as const };
    await store.commands.upsert(makeCommand(a.org, { ...aOnly, definedByAdmin: true }));
    Object.assign(a, await oldRun(a.org));
    b.run = (await oldRun(b.org)).run;
    servicesB = createModuleServices(store, { clock })(b.org);
  });
  after(async () => {
    listener.close();
    await cleanup();
  });

  /** Runs `attack` as org B's module and checks that org A's rows did not change. */
  const leavesOrgAAlone = async (attack: () => Promise<void>) => {
    const before = await orgARows();
    await attack();
    assert.deepEqual(await orgARows(), before);
  };

  /** A payload/accept context of org B's jobstate. */
  const agentJob = <P>(params: P, agentId: string): PayloadContext<P> & { agentId: string } => ({
    params,
    jobstate: { id: 'js-b', runId: 'run-b', taskId: 'task-b', orgId: b.org, job: 'job', attempt: 1, agentId },
    services: servicesB,
    agentId,
  });

  test('housekeeping prunes org B’s old runs and log lines, not org A’s', () =>
    leavesOrgAAlone(async () => {
      const params = housekeepingModule.parseParams({ keepRuns: '1d', keepLogs: '1d' }, 'params');
      const { ctx } = jobContext(params, { clock, services: servicesB });
      const outcome = await housekeepingModule.execute!(ctx);
      assert.deepEqual(outcome, { done: true, ok: true, result: { deletedRuns: 1, deletedLogs: 1, deletedFiles: 0 } });
      assert.equal(await store.runs.get(b.run), null);
    }));

  test('netdiscovery records org B’s devices only, on the server and from an agent', () =>
    leavesOrgAAlone(async () => {
      const params = netdiscoveryModule.parseParams({ ranges: ['127.0.0.1'], ports: [port], timeout: '2s' }, 'p');
      const { ctx } = jobContext(params, { clock: new FakeClock(), services: servicesB });
      const scanned = await netdiscoveryModule.execute!(ctx);
      assert.deepEqual(scanned, { done: true, ok: true, result: { addresses: 1, found: 1, created: 1, updated: 0 } });
      const report = { addresses: 1, devices: [{ ip: '127.0.0.1', ports: [80], hostname: 'b-host' }] };
      const accepted = await netdiscoveryModule.accept!({
        ...agentJob(params, 'b-agent'),
        outcome: { ok: true, result: report },
      });
      assert.deepEqual(accepted.result, { addresses: 1, found: 1, created: 0, updated: 1 });
      assert.equal((await store.devices.list({ orgId: b.org }, { limit: 10 })).items.length, 1);
    }));

  test('inventory cannot store an inventory for org A’s agent', () =>
    leavesOrgAAlone(async () => {
      const stolen = { ...INVENTORY, hostname: 'overwritten' };
      await assert.rejects(
        inventoryModule.accept!({ ...agentJob({}, a.agent), outcome: { ok: true, result: stolen } }),
        /agent .* not found/,
      );
    }));

  test('wakeonlan does not know org A’s agents: no MAC is read, no packet sent', () =>
    leavesOrgAAlone(async () => {
      const params = wakeonlanModule.parseParams({ broadcast: '127.0.0.1', port }, 'params');
      const { ctx, logs } = jobContext(params, { services: servicesB, agentId: a.agent });
      const outcome = await wakeonlanModule.execute!(ctx);
      assert.equal(outcome.done && outcome.ok, false);
      assert.match(logs.map((l) => l.line).join('\n'), /is not enrolled/);
      for (const select of [{ agents: [a.agent] }, { tags: ['lab'] }]) {
        const relay = wakeonlanRelayModule.parseParams({ ...select, broadcast: '127.0.0.1', port }, 'params');
        assert.deepEqual(await wakeonlanRelayModule.payload!(agentJob(relay, 'b-relay')), { targets: [] });
      }
    }));

  test('deploy finds neither org A’s packages nor org A’s commands', () =>
    leavesOrgAAlone(async () => {
      const params = (name: string) => deployModule.parseParams({ package: name }, 'params');
      await assert.rejects(deployModule.payload!(agentJob(params('a-app'), 'b-agent')), /"a-app" was not uploaded/);
      await assert.rejects(
        deployModule.payload!(agentJob(params('b-app'), 'b-agent')),
        /"a-only" is not in the command catalog/,
      );
    }));

  test('the ledger of org A’s agent reads empty to org B', async () => {
    const task = await store.tasks.create(makeTask(a.org));
    const result = { package: 'b-app', version: '1', action: 'install', outcome: 'ok' };
    await store.ledger.record(makeLedger({ taskId: task.id, target: a.agent, result }));
    assert.equal((await createModuleServices(store, { clock })(a.org).ledger.ofTarget(a.agent)).length, 1);
    assert.deepEqual(await servicesB.ledger.ofTarget(a.agent), []);
  });

  test('a module cannot change the services the next job of its org (or another org) gets', () => {
    const servicesFor = createModuleServices(store, { clock });
    const own = servicesFor(b.org);
    assert.equal(servicesFor(b.org), own, 'built once per org');
    assert.notEqual(servicesFor(a.org), own);
    const borrowA = servicesFor(a.org).fleet;
    assert.throws(() => Object.assign(own, { fleet: borrowA }), TypeError);
    assert.throws(() => Object.assign(own.commands, { resolve: async () => null }), TypeError);
    assert.notEqual(servicesFor(b.org).fleet, borrowA);
  });

  test('command runs none of org A’s commands, on the server or on an agent', () =>
    leavesOrgAAlone(async () => {
      const params = commandModule.parseParams({ command: 'a-only' }, 'params');
      const { ctx, logs } = jobContext(params, { services: servicesB });
      const outcome = await commandModule.execute!(ctx);
      assert.equal(outcome.done && outcome.ok, false);
      assert.match(logs[0]?.line ?? '', /"a-only" is not a server command of the global admin/);
      await assert.rejects(
        commandModule.payload!(agentJob(params, 'b-agent')),
        /"a-only" is not in the command catalog/,
      );
    }));

  test('noop touches no row at all', () =>
    leavesOrgAAlone(async () => {
      // jobContext's default services fail any call.
      const { ctx } = jobContext(noop.parseParams({}, 'params'));
      assert.equal((await noop.execute!(ctx)).done, true);
    }));
});
