/**
 * A network discovery's reports from a FusionInventory agent (QUERY=NETDISCOVERY), one
 * message at a time: START and NBIP are logged, each DEVICE is logged and kept, END hands
 * what was kept to the netdiscovery module's `accept` (which checks the job's ranges and
 * records the devices) through the engine's event path, which ends the jobstate. The
 * addresses probed are the job's own count: the agent's NBIP over-counts a job of several
 * ranges (2.6 adds its growing address list once per range).
 *
 * Between messages the devices wait on the jobstate itself (its checkpoint, which agent
 * jobs do not otherwise use), so a report survives a server restart and any node of a
 * cluster can take the next message. The agent's scan threads report at once: each write
 * moves the jobstate's event seq by compare-and-set in the same transaction, so two of
 * them never both build on the same kept list.
 */
import type { Clock } from '../../core/clock.ts';
import { notFound, TaskwardenError } from '../../core/errors.ts';
import type { Agent, Jobstate } from '../../core/model.ts';
import type { DeviceSighting } from '../../core/ports/fleet.ts';
import type { Store } from '../../core/ports/store.ts';
import { type AttemptRef, parseProcessNumber } from '../../modules/fusioninventory/ids.ts';
import { describeDevice, readDiscoveryMessage } from '../../modules/fusioninventory/netdiscovery.ts';
import type { XmlNode } from '../../modules/fusioninventory/xml.ts';
import { countAddresses, inRanges, parseRanges } from '../../modules/netdiscovery/ranges.ts';
import type { DiscoveryParams, DiscoveryReport } from '../../modules/netdiscovery/schema.ts';
import { type EventDeps, type JobEvent, logEvent, refOf, reportEvents } from './events.ts';

/** What a discovery job keeps between the agent's messages. */
interface Kept {
  fusioninventory: 'netdiscovery';
  attempt: number;
  devices: DeviceSighting[];
}

/** The netdiscovery report's own bound. */
const MAX_DEVICES = 65_536;
const MAX_ROUNDS = 100;

export async function onDiscoveryMessage(
  deps: EventDeps & { clock: Clock },
  agent: Agent,
  content: XmlNode,
): Promise<void> {
  const message = readDiscoveryMessage(content);
  const ref = parseProcessNumber(message.processNumber, 'CONTENT.PROCESSNUMBER');
  const js = await deps.store.jobstates.get(ref.jobstateId);
  if (!js || js.agentId !== agent.id || js.module !== 'netdiscovery') throw notFound('jobstate', ref.jobstateId);
  // The agent sends END twice, and may report on a job that ended meanwhile (timed out, cancelled).
  if (js.status !== 'running' || js.attempt !== ref.attempt) return;
  const params = js.params as DiscoveryParams;
  const ranges = parseRanges(params.ranges, 'params.ranges');
  const lines: string[] = [];
  if (message.started) lines.push('the agent started scanning (ping, ARP, NetBIOS)');
  if (message.addresses !== null) lines.push(`${countAddresses(ranges)} addresses to scan`);
  const found: DeviceSighting[] = [];
  for (const device of message.devices) {
    if (!inRanges(device.ip, ranges)) {
      lines.push(`ignored ${device.ip}: not in the ranges of the job`);
      continue;
    }
    lines.push(describeDevice(device));
    found.push({ ip: device.ip, ports: device.ports, hostname: device.hostname });
  }
  if (found.length > 0) await keep(deps, ref, (kept) => ({ ...kept, devices: merge(kept.devices, found) }));
  const now = deps.clock.now();
  const events: JobEvent[] = lines.map((line) => logEvent(line, now));
  if (message.ended) {
    const kept = keptOf(await deps.store.jobstates.get(js.id), ref.attempt);
    const report: DiscoveryReport = { addresses: countAddresses(ranges), devices: kept.devices };
    events.push(logEvent(`the agent finished: ${report.devices.length} devices answered`, now));
    events.push({ type: 'finished', result: report, ts: now });
  }
  if (events.length > 0) await reportEvents(deps, agent.id, refOf(js), events);
}

/** Read, change, write the kept report, fenced on the event seq (see the file's comment). */
async function keep(
  deps: { store: Store; clock: Clock },
  ref: AttemptRef,
  change: (kept: Kept) => Kept,
): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const written = await deps.store.transaction(async (tx) => {
      const js = await tx.jobstates.get(ref.jobstateId);
      if (js?.status !== 'running' || js.attempt !== ref.attempt) return true;
      const now = deps.clock.now();
      if (!(await tx.jobstates.advanceEventSeq(js.id, js.attempt, js.eventSeq, js.eventSeq + 1, now))) return false;
      const checkpoint = change(keptOf(js, ref.attempt));
      return tx.jobstates.update(js.id, { checkpoint, updatedAt: now }, { status: ['running'], attempt: js.attempt });
    });
    if (written) return;
  }
  throw new TaskwardenError(
    'jobstate_reports_racing',
    `reports on jobstate ${ref.jobstateId} keep racing; send them again`,
  );
}

function keptOf(js: Pick<Jobstate, 'checkpoint'> | null, attempt: number): Kept {
  const kept = js?.checkpoint as Partial<Kept> | null | undefined;
  if (kept?.fusioninventory === 'netdiscovery' && kept.attempt === attempt && Array.isArray(kept.devices)) {
    return kept as Kept;
  }
  return { fusioninventory: 'netdiscovery', attempt, devices: [] };
}

/** One sighting per address, the latest winning. */
function merge(kept: readonly DeviceSighting[], found: readonly DeviceSighting[]): DeviceSighting[] {
  const byIp = new Map(kept.map((device) => [device.ip, device]));
  for (const device of found) byIp.set(device.ip, device);
  return [...byIp.values()].slice(0, MAX_DEVICES);
}
