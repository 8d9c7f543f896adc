import { hostname } from 'node:os';
import { AgentClient, isServerAway } from '../client/agent-client.ts';
import type { Clock } from '../core/clock.ts';
import { ValidationError } from '../core/errors.ts';
import { Backoff } from './backoff.ts';
import type { AgentLog } from './log.ts';
import { type EnrolledState, isEnrolled, newDeviceId, readAgentState, writeAgentState } from './state-file.ts';
import { localTimeZone } from './time-zone.ts';

export interface EnrolmentRequest {
  dataDir: string;
  /** --server; defaults to the server the credential came from. */
  server?: string | undefined;
  /** --enrol, --enrol-file or TASKWARDEN_ENROL_TOKEN; needed only when the agent has no credential yet. */
  token?: string | undefined;
  /** --device-id; a new id means a new identity, so it enrols again. */
  deviceId?: string | undefined;
  name?: string | undefined;
  tags?: string[] | undefined;
  version: string;
  modules: string[];
}

export interface Enrolled {
  state: EnrolledState;
  /** The server's contact interval when it just enrolled us, else null (the first contact tells). */
  contactSeconds: number | null;
}

/**
 * The agent's credential: the one in `<data>/agent.json` when there is one, else a new one
 * from the server in exchange for the enrolment token. While the server is away, tries
 * again with backoff; a refused token is an error for the caller (it will not get better).
 */
export async function ensureEnrolled(
  req: EnrolmentRequest,
  deps: { clock: Clock; log: AgentLog; signal: AbortSignal },
): Promise<Enrolled> {
  const stored = await readAgentState(req.dataDir);
  const deviceId = req.deviceId ?? stored?.deviceId ?? newDeviceId();
  if (stored && isEnrolled(stored) && stored.deviceId === deviceId) {
    if (req.server === undefined || sameUrl(req.server, stored.server)) return { state: stored, contactSeconds: null };
    deps.log.warn(`server changed from ${stored.server} to ${req.server}; keeping the credential`);
    const moved = { ...stored, server: req.server };
    await writeAgentState(req.dataDir, moved);
    return { state: moved, contactSeconds: null };
  }
  // Written before asking, so that an enrolment tried again (server away, crash) sends the same device id.
  if (stored?.deviceId !== deviceId) await writeAgentState(req.dataDir, { deviceId });
  if (!req.token) {
    throw new ValidationError(
      '--enrol-file',
      'this agent is not enrolled yet: give an enrolment token (--enrol-file PATH or TASKWARDEN_ENROL_TOKEN)',
    );
  }
  if (!req.server) throw new ValidationError('--server', 'is required to enrol');
  const client = new AgentClient({ server: req.server });
  const body = {
    token: req.token,
    deviceId,
    name: req.name ?? (hostname().slice(0, 200) || deviceId),
    ...(req.tags ? { tags: req.tags } : {}),
    version: req.version,
    modules: req.modules,
    ...localTimeZone(),
  };
  const backoff = new Backoff(1000, 60_000);
  for (;;) {
    try {
      const reply = await client.enrol(body, deps.signal);
      const state: EnrolledState = { deviceId, server: req.server, agentId: reply.agentId, secret: reply.secret };
      await writeAgentState(req.dataDir, state);
      deps.log.info(`enrolled as agent ${reply.agentId} (device ${deviceId})`);
      const granted = reply.tags ?? [];
      if (req.tags?.some((tag) => !granted.includes(tag))) {
        deps.log.warn(
          `tags asked for: ${req.tags.join(',')}; tags given: ${granted.join(',') || 'none'} ` +
            "(an agent's tags come from its enrolment token and administrators, who see the ones asked for)",
        );
      }
      return { state, contactSeconds: reply.contactSeconds };
    } catch (err) {
      if (!isServerAway(err) || deps.signal.aborted) throw err;
      const delay = backoff.next();
      deps.log.warn(`enrolment failed: ${(err as Error).message}; next try in ${delay} ms`);
      await deps.clock.sleep(delay, deps.signal);
      if (deps.signal.aborted) throw err;
    }
  }
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
