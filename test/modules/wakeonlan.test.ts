// Wake-on-LAN: the magic packet's bytes as a real UDP listener on 127.0.0.1 receives them,
// sent by the server half for a target agent (MACs from its inventory) or by a relay agent.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import type { FleetAgent, ModuleServices, SummaryInput } from '../../src/core/ports/module.ts';
import { wakeonlanModule, wakeonlanRelayModule } from '../../src/modules/wakeonlan/index.ts';
import { macBytes, magicPacket } from '../../src/modules/wakeonlan/magic-packet.ts';
import type { RelayParams, WakeParams } from '../../src/modules/wakeonlan/schema.ts';
import { agentJobContext } from './agent-job-context.ts';
import { jobContext, waitUntil } from './job-context.ts';

let listener: Socket;
let port: number;
const received: Buffer[] = [];
before(async () => {
  listener = createSocket('udp4');
  listener.on('message', (message) => received.push(message));
  await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
  port = listener.address().port;
});
after(() => listener.close());

/** What `send` returned and the hex of the packets the listener got, sorted, once `count` arrived. */
async function packets(count: number, send: () => Promise<unknown>): Promise<{ outcome: unknown; got: string[] }> {
  received.length = 0;
  const outcome = await send();
  await waitUntil(() => received.length >= count, `${count} magic packets`);
  return { outcome, got: received.map((p) => p.toString('hex')).sort() };
}

/** The packet for `mac`, in hex: 6 x ff then the MAC 16 times. */
const expectedPacket = (mac: string) => `${'ff'.repeat(6)}${mac.replace(/[:-]/g, '').repeat(16)}`;

const inventoryWith = (...nics: { name: string; mac: string | null; internal?: boolean }[]) => ({
  hostname: 'pc',
  interfaces: nics.map((nic) => ({ addresses: [], internal: false, ...nic })),
});

const agents: Record<string, FleetAgent> = {
  sleepy: {
    id: 'sleepy',
    name: 'pc-accounting-1',
    tags: ['accounting'],
    inventory: inventoryWith({ name: 'lo', mac: null, internal: true }, { name: 'eth0', mac: '00:11:22:33:44:55' }),
  },
  fresh: { id: 'fresh', name: 'pc-new', tags: ['accounting'], inventory: null },
};

const fleet: ModuleServices['fleet'] = {
  agent: async (id) => agents[id] ?? null,
  agents: async (select) =>
    Object.values(agents).filter((a) =>
      'agents' in select ? select.agents.includes(a.id) : a.tags.some((t) => select.tags.includes(t)),
    ),
  saveInventory: () => Promise.reject(new Error('unused')),
  recordDevices: () => Promise.reject(new Error('unused')),
};

function executeFor(agentId: string | null, params: Record<string, unknown> = {}) {
  const parsed = wakeonlanModule.parseParams({ broadcast: '127.0.0.1', port, ...params }, 'params');
  const { ctx, logs } = jobContext<WakeParams>(parsed, { agentId, services: { fleet } });
  return { run: () => wakeonlanModule.execute!(ctx), logs };
}

describe('wakeonlan', () => {
  test('a magic packet is 6 x 0xFF then the MAC 16 times; MACs are read in their usual spellings', () => {
    const mac = macBytes('00:11:22:AA:bb:cc') as Buffer;
    assert.deepEqual(macBytes('00-11-22-aa-bb-cc'), mac);
    assert.deepEqual(macBytes('001122aabbcc'), mac);
    for (const bad of ['00:11:22:aa:bb', '00:11-22:aa:bb:cc', 'zz:11:22:aa:bb:cc']) assert.equal(macBytes(bad), null);
    const packet = magicPacket(mac);
    assert.equal(packet.length, 102);
    assert.equal(packet.toString('hex'), expectedPacket('00:11:22:aa:bb:cc'));
  });

  test('params: broadcast defaults to 255.255.255.255 port 9; bad values name the field', () => {
    assert.deepEqual(wakeonlanModule.parseParams({}, 'params'), { broadcast: '255.255.255.255', port: 9 });
    assert.throws(() => wakeonlanModule.parseParams({ broadcast: '300.1.1.1' }, 'jobs[0].params'), {
      field: 'jobs[0].params.broadcast',
    });
    assert.throws(() => wakeonlanModule.parseParams({ macs: ['nope'] }, 'p'), { field: 'p.macs[0]' });
    assert.equal(wakeonlanModule.agentTargetsRunOn, 'server');
  });

  test("the server wakes a target agent by its inventory's MACs (not the loopback)", async () => {
    const { run, logs } = executeFor('sleepy');
    const { got, outcome } = await packets(1, run);
    assert.deepEqual(got, [expectedPacket('00:11:22:33:44:55')]);
    assert.deepEqual(outcome, {
      done: true,
      ok: true,
      result: { woken: 1, withoutMac: 0, macs: ['00:11:22:33:44:55'] },
    });
    assert.match(logs.at(-1)?.line ?? '', /sent magic packets for 00:11:22:33:44:55 to 127\.0\.0\.1:\d+/);
  });

  test('an agent without a known MAC fails, counted "without MAC"; so does one of another org', async () => {
    const { run, logs } = executeFor('fresh');
    assert.deepEqual(await run(), {
      done: true,
      ok: false,
      reason: 'module_failed',
      result: { woken: 0, withoutMac: 1, macs: [] },
    });
    assert.match(logs[0]?.line ?? '', /pc-new: no MAC address known; an inventory of the agent records them/);
    assert.equal(((await executeFor('unknown').run()) as { ok: boolean }).ok, false);
  });

  test('on the server target it wakes the MACs of its params', async () => {
    const macs = ['aa:bb:cc:dd:ee:01', 'aa-bb-cc-dd-ee-02'];
    const { got } = await packets(2, executeFor(null, { macs }).run);
    assert.deepEqual(got, [expectedPacket('aa:bb:cc:dd:ee:01'), expectedPacket('aa:bb:cc:dd:ee:02')]);
    assert.equal(((await executeFor(null).run()) as { ok: boolean }).ok, false);
  });

  test('a relay agent wakes the agents its params name, resolved to MACs by the server', async () => {
    const params = wakeonlanRelayModule.parseParams(
      { tags: ['accounting'], macs: ['aa:bb:cc:dd:ee:03'], broadcast: '127.0.0.1', port },
      'params',
    );
    const jobstate = { id: 'js', runId: 'r', taskId: 't', orgId: 'org-1', job: 'wake', attempt: 1, agentId: 'relay' };
    const payload = await wakeonlanRelayModule.payload!({ params, jobstate, services: { fleet } as ModuleServices });
    assert.deepEqual(payload, {
      targets: [
        { name: 'pc-accounting-1', macs: ['00:11:22:33:44:55'] },
        { name: 'pc-new', macs: [] },
        { name: 'aa:bb:cc:dd:ee:03', macs: ['aa:bb:cc:dd:ee:03'] },
      ],
    });
    const { ctx, logs } = agentJobContext<RelayParams>(params, payload);
    const { got, outcome } = await packets(2, () => wakeonlanRelayModule.agent!.run(ctx));
    assert.deepEqual(got, [expectedPacket('00:11:22:33:44:55'), expectedPacket('aa:bb:cc:dd:ee:03')]);
    assert.deepEqual(outcome, {
      ok: true,
      result: { woken: 2, withoutMac: 1, macs: ['00:11:22:33:44:55', 'aa:bb:cc:dd:ee:03'] },
    });
    assert.ok(logs.some((l) => l.line === 'pc-new: no MAC address known'));
  });

  test('relay params must name something to wake, by ids or tags', () => {
    assert.throws(() => wakeonlanRelayModule.parseParams({}, 'params'), /params: says nothing to wake/);
    assert.throws(() => wakeonlanRelayModule.parseParams({ agents: ['a'], tags: ['b'] }, 'params'), {
      field: 'params.tags',
    });
  });

  test('summary: "N woken, M without MAC", other failures and pending ones apart', () => {
    const js = (status: SummaryInput['status'], result: unknown): SummaryInput => ({
      job: 'wake',
      agentId: 'a',
      status,
      reason: null,
      result,
    });
    const summary = wakeonlanModule.summarize!([
      js('finished', { woken: 1, withoutMac: 0, macs: [] }),
      js('finished', { woken: 1, withoutMac: 0, macs: [] }),
      js('error', { woken: 0, withoutMac: 1, macs: [] }),
      js('error', null),
      js('prepared', null),
    ]);
    assert.deepEqual(summary, { details: '2 woken, 1 without MAC, 1 failed, 1 pending' });
  });
});
