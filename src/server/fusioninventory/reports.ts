/**
 * The messages a FusionInventory agent sends about a module's running job (QUERY=NETDISCOVERY
 * for a network discovery), one at a time, read by the module's FusionInventory hook
 * (`reports`): its lines are logged, its sightings kept, and the message that ends the job
 * hands what was kept to the module's `accept` through the engine's event path, which ends
 * the jobstate.
 *
 * Between messages the sightings wait on the jobstate itself (its checkpoint, which agent
 * jobs do not otherwise use), so a report survives a server restart and any node of a
 * cluster can take the next message. The agent's scan threads report at once: each write
 * moves the jobstate's event seq by compare-and-set in the same transaction, so two of
 * them never both build on the same kept list.
 */
import type { Clock } from '../../core/clock.ts';
import { notFound, TaskwardenError } from '../../core/errors.ts';
import type { XmlNode } from '../../core/fusioninventory-message.ts';
import type { Agent, Jobstate } from '../../core/model.ts';
import type { DeviceSighting } from '../../core/ports/fleet.ts';
import type { ModuleDefinition, ModuleRegistry } from '../../core/ports/module.ts';
import type { Store } from '../../core/ports/store.ts';
import { type AttemptRef, parseProcessNumber } from '../../modules/fusioninventory/ids.ts';
import { type EventDeps, type JobEvent, logEvent, refOf, reportEvents } from './events.ts';

/** What a job keeps between the agent's messages; `fusioninventory` names the module. */
interface Kept {
  fusioninventory: string;
  attempt: number;
  devices: DeviceSighting[];
}

/** The netdiscovery report's own bound. */
const MAX_DEVICES = 65_536;
const MAX_ROUNDS = 100;

/** The module whose FusionInventory hook reads the agent's messages of that QUERY, if any. */
export function reportsModule(modules: ModuleRegistry, query: string): ModuleDefinition | undefined {
  return modules.list().find((module) => module.fusionInventory?.reports?.query === query);
}

export async function onReportMessage(
  deps: EventDeps & { clock: Clock },
  agent: Agent,
  input: { module: ModuleDefinition; content: XmlNode },
): Promise<void> {
  const { module } = input;
  const hook = module.fusionInventory?.reports;
  if (!hook) throw new TypeError(`module ${module.name} reads no FusionInventory reports`);
  const message = hook.read(input.content);
  const ref = parseProcessNumber(message.processNumber, 'CONTENT.PROCESSNUMBER');
  const js = await deps.store.jobstates.get(ref.jobstateId);
  if (!js || js.agentId !== agent.id || js.module !== module.name) throw notFound('jobstate', ref.jobstateId);
  // The agent sends END twice, and may report on a job that ended meanwhile (timed out, cancelled).
  if (js.status !== 'running' || js.attempt !== ref.attempt) return;
  const { lines, devices, ended } = message.take(js.params);
  const marker = { module: module.name, attempt: ref.attempt };
  if (devices.length > 0) await keep(deps, marker, ref, (kept) => ({ ...kept, devices: merge(kept.devices, devices) }));
  const now = deps.clock.now();
  const events: JobEvent[] = lines.map((line) => logEvent(line, now));
  if (ended) {
    const kept = keptOf(await deps.store.jobstates.get(js.id), marker);
    const end = hook.end(js.params, kept.devices);
    events.push(logEvent(end.line, now));
    events.push({ type: 'finished', result: end.result, ts: now });
  }
  if (events.length > 0) await reportEvents(deps, agent.id, refOf(js), events);
}

/** Whose kept list a checkpoint is: the module's, for this attempt. */
interface Marker {
  module: string;
  attempt: number;
}

/** Read, change, write the kept report, fenced on the event seq (see the file's comment). */
async function keep(
  deps: { store: Store; clock: Clock },
  marker: Marker,
  ref: AttemptRef,
  change: (kept: Kept) => Kept,
): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const written = await deps.store.transaction(async (tx) => {
      const js = await tx.jobstates.get(ref.jobstateId);
      if (js?.status !== 'running' || js.attempt !== ref.attempt) return true;
      const now = deps.clock.now();
      if (!(await tx.jobstates.advanceEventSeq(js.id, js.attempt, js.eventSeq, js.eventSeq + 1, now))) return false;
      const checkpoint = change(keptOf(js, marker));
      return tx.jobstates.update(js.id, { checkpoint, updatedAt: now }, { status: ['running'], attempt: js.attempt });
    });
    if (written) return;
  }
  throw new TaskwardenError(
    'jobstate_reports_racing',
    `reports on jobstate ${ref.jobstateId} keep racing; send them again`,
  );
}

function keptOf(js: Pick<Jobstate, 'checkpoint'> | null, marker: Marker): Kept {
  const kept = js?.checkpoint as Partial<Kept> | null | undefined;
  if (kept?.fusioninventory === marker.module && kept.attempt === marker.attempt && Array.isArray(kept.devices)) {
    return kept as Kept;
  }
  return { fusioninventory: marker.module, attempt: marker.attempt, devices: [] };
}

/** One sighting per address, the latest winning. */
function merge(kept: readonly DeviceSighting[], found: readonly DeviceSighting[]): DeviceSighting[] {
  const byIp = new Map(kept.map((device) => [device.ip, device]));
  for (const device of found) byIp.set(device.ip, device);
  return [...byIp.values()].slice(0, MAX_DEVICES);
}
