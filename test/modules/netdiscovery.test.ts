// Network discovery: range parsing, TCP-connect probing of real listening sockets on
// 127.0.0.x (only loopback is ever probed), the server half scanning in chunks with
// checkpoints, the agent half's report accepted (or refused) by the server half.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import type { DeviceSighting } from '../../src/core/ports/fleet.ts';
import type { ModuleServices, SummaryInput } from '../../src/core/ports/module.ts';
import { netdiscoveryModule } from '../../src/modules/netdiscovery/index.ts';
import { addressesFrom, countAddresses, parseRanges } from '../../src/modules/netdiscovery/ranges.ts';
import { scan } from '../../src/modules/netdiscovery/scan.ts';
import type { DiscoveryParams } from '../../src/modules/netdiscovery/schema.ts';
import { agentJobContext } from './agent-job-context.ts';
import { jobContext } from './job-context.ts';

const servers: Server[] = [];
/** Two open ports on 127.0.0.2, one on 127.0.0.5; `closed` is a port nothing listens on. */
let open: { a: number; b: number; c: number; closed: number };

async function listen(host: string, port = 0): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return (server.address() as { port: number }).port;
}

before(async () => {
  const a = await listen('127.0.0.2');
  const b = await listen('127.0.0.2');
  const c = await listen('127.0.0.5', a);
  // A port that was free a moment ago: bound then released.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.2', resolve));
  const closed = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  open = { a, b, c, closed };
});
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

const params = (over: Record<string, unknown> = {}) =>
  netdiscoveryModule.parseParams(
    { ranges: ['127.0.0.1-127.0.0.8'], ports: [open.a, open.b, open.closed], timeout: '2s', concurrency: 8, ...over },
    'params',
  ) as DiscoveryParams;

const expected = (): DeviceSighting[] => [
  { ip: '127.0.0.2', ports: [open.a, open.b].sort((x, y) => x - y), hostname: null },
  { ip: '127.0.0.5', ports: [open.c], hostname: null },
];

/** Names are whatever the machine's resolver says; the tests compare the rest. */
const withoutNames = (devices: readonly DeviceSighting[]) => devices.map((d) => ({ ...d, hostname: null }));

function recorder() {
  const calls: { sightings: readonly DeviceSighting[]; jobstateId: string }[] = [];
  const fleet = {
    recordDevices: async (sightings: readonly DeviceSighting[], jobstateId: string) => {
      calls.push({ sightings, jobstateId });
      return { created: sightings.length, updated: 0 };
    },
  } as unknown as ModuleServices['fleet'];
  return { calls, fleet };
}

describe('netdiscovery ranges', () => {
  test('single addresses, spans and CIDR blocks; counted and walked from any index', () => {
    const ranges = parseRanges(['127.0.0.1-127.0.0.3', '10.0.0.0/30', '192.168.1.7', '10.0.0.9/32'], 'ranges');
    assert.equal(countAddresses(ranges), 3 + 4 + 1 + 1);
    assert.deepEqual(
      [...addressesFrom(ranges, 0)],
      [
        '127.0.0.1',
        '127.0.0.2',
        '127.0.0.3',
        '10.0.0.0',
        '10.0.0.1',
        '10.0.0.2',
        '10.0.0.3',
        '192.168.1.7',
        '10.0.0.9',
      ],
    );
    assert.deepEqual([...addressesFrom(ranges, 6)], ['10.0.0.3', '192.168.1.7', '10.0.0.9']);
    assert.deepEqual(
      [...addressesFrom(parseRanges(['10.0.0.5/30'], 'r'), 0)],
      ['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7'],
    );
  });

  test('bad ranges and more than 65,536 addresses are refused, naming the range', () => {
    const fails = (ranges: unknown[], field: string, message: RegExp) =>
      assert.throws(
        () => netdiscoveryModule.parseParams({ ranges }, 'jobs[0].params'),
        (err: Error & { field?: string }) => {
          assert.equal(err.field, field);
          assert.match(err.message, message);
          return true;
        },
      );
    fails(['10.0.0.1-10.0.0'], 'jobs[0].params.ranges[0]', /not an IPv4 address/);
    fails(['10.0.0.9-10.0.0.1'], 'jobs[0].params.ranges[0]', /ends before it starts/);
    fails(['10.0.0.0/33'], 'jobs[0].params.ranges[0]', /CIDR/);
    fails(['256.0.0.1'], 'jobs[0].params.ranges[0]', /not an IPv4/);
    fails(['10.0.0.0/16', '10.1.0.0/32'], 'jobs[0].params.ranges[1]', /more than 65536 addresses/);
    assert.equal(countAddresses(parseRanges(['10.0.0.0/16'], 'r')), 65_536);
    assert.throws(() => netdiscoveryModule.parseParams({ ranges: ['127.0.0.1'], timeout: '31s' }, 'p'), {
      field: 'p.timeout',
    });
    assert.throws(() => netdiscoveryModule.parseParams({ ranges: ['127.0.0.1'], concurrency: 0 }, 'p'), {
      field: 'p.concurrency',
    });
  });
});

describe('netdiscovery', () => {
  test('probing finds the listening sockets of 127.0.0.1-8, and only them', async () => {
    const ports = [open.a, open.b, open.closed];
    const found = await scan(addressesFrom(parseRanges(['127.0.0.1-127.0.0.8'], 'r'), 0), {
      ports,
      timeoutMs: 2000,
      concurrency: 4,
      signal: new AbortController().signal,
      clock: new FakeClock(),
    });
    assert.deepEqual(withoutNames(found), expected());
  });

  test('the server half records devices batch by batch, resuming from its checkpoint', async () => {
    const { calls, fleet } = recorder();
    const discovery = params({ concurrency: 1 });
    let checkpoint: unknown;
    let chunks = 0;
    for (;;) {
      // A deadline already reached: each chunk does one batch, then hands back a checkpoint.
      const { ctx, clock } = jobContext<DiscoveryParams>(discovery, { services: { fleet }, checkpoint });
      ctx.deadline = clock.monotonic();
      const outcome = await netdiscoveryModule.execute!(ctx);
      chunks++;
      if (outcome.done) {
        assert.deepEqual(outcome, { done: true, ok: true, result: { addresses: 8, found: 2, created: 2, updated: 0 } });
        break;
      }
      checkpoint = outcome.checkpoint;
      assert.ok(chunks < 20, 'the scan ends');
    }
    assert.ok(chunks > 2, `several chunks (${chunks})`);
    assert.deepEqual(withoutNames(calls.flatMap((c) => c.sightings)), expected());
    assert.deepEqual([...new Set(calls.map((c) => c.jobstateId))], ['js-1']);
  });

  test('the agent half reports what it found; the server half records it', async () => {
    const discovery = params();
    const { ctx, progress, logs } = agentJobContext<DiscoveryParams>(discovery, null);
    const outcome = await netdiscoveryModule.agent!.run(ctx);
    assert.equal(outcome.ok, true);
    const report = outcome.result as { addresses: number; devices: DeviceSighting[] };
    assert.equal(report.addresses, 8);
    assert.deepEqual(withoutNames(report.devices), expected());
    assert.equal(progress.at(-1), 100);
    assert.ok(logs.some((l) => l.line.startsWith(`127.0.0.5`) && l.line.endsWith(`open ${open.c}`)));

    const { calls, fleet } = recorder();
    const jobstate = {
      id: 'js-9',
      runId: 'r',
      taskId: 't',
      orgId: 'org-1',
      job: 'discover',
      attempt: 1,
      agentId: 'agent-1',
    };
    const accepted = await netdiscoveryModule.accept!({
      params: discovery,
      jobstate,
      services: { fleet } as ModuleServices,
      agentId: 'agent-1',
      outcome,
    });
    assert.deepEqual(accepted, { ok: true, result: { addresses: 8, found: 2, created: 2, updated: 0 } });
    assert.deepEqual(
      calls.map((c) => [c.jobstateId, c.sightings.length]),
      [['js-9', 2]],
    );
  });

  test('a report with a device outside the ranges, or malformed, is refused and records nothing', async () => {
    const { calls, fleet } = recorder();
    const jobstate = { id: 'js', runId: 'r', taskId: 't', orgId: 'org-1', job: 'd', attempt: 1, agentId: 'a' };
    const accept = (result: unknown) =>
      netdiscoveryModule.accept!({
        params: params(),
        jobstate,
        services: { fleet } as ModuleServices,
        agentId: 'a',
        outcome: { ok: true, result },
      });
    const outside = await accept({ addresses: 8, devices: [{ ip: '10.0.0.1', ports: [22], hostname: null }] });
    assert.equal(outside.ok, false);
    assert.match(
      (outside.result as { error: string }).error,
      /result\.devices\[0\]\.ip: is not in the ranges of the job/,
    );
    const malformed = await accept({ addresses: 8, devices: [{ ip: '127.0.0.2', ports: ['22'], hostname: null }] });
    assert.match((malformed.result as { error: string }).error, /result\.devices\[0\]\.ports\[0\]/);
    assert.deepEqual(calls, []);
  });

  test('summary: "N new, M updated" with the addresses probed', () => {
    const js = (status: SummaryInput['status'], result: unknown): SummaryInput => ({
      job: 'd',
      agentId: null,
      status,
      reason: null,
      result,
    });
    assert.deepEqual(
      netdiscoveryModule.summarize!([
        js('finished', { addresses: 256, found: 60, created: 50, updated: 10 }),
        js('finished', { addresses: 256, found: 90, created: 0, updated: 90 }),
        js('running', null),
      ]),
      { details: '50 new, 100 updated, 1 pending', lines: ['addresses probed : 512'] },
    );
  });
});
