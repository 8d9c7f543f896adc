/**
 * Which Taskwarden agent a FusionInventory request is: the DEVICEID (or REST machineid) it
 * sends, looked up in the org of the enrolment token it authenticated with, never elsewhere.
 * A DEVICEID the org does not know yet is enrolled, as one use of the token, as an agent of
 * kind `fusioninventory` with the token's tags. The agent is bound to that token: another
 * token of the org naming its DEVICEID is refused (409) unless an administrator allowed the
 * machine to enrol again, which then moves it to that token (one use). A Taskwarden agent's
 * device id is never taken over.
 */
import { TaskwardenError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { Agent, EnrolmentToken } from '../../core/model.ts';
import type { ModuleRegistry } from '../../core/ports/module.ts';
import type { Store } from '../../core/ports/store.ts';
import { hostOfDeviceId } from '../../modules/fusioninventory/ids.ts';
import { DEVICE_ID } from '../../modules/fusioninventory/xml.ts';
import { newAgentSecret } from '../agent-auth.ts';
import { requireReenrolmentLeave, withTokenTags, writeThenSpendUse } from '../agent-enrolment.ts';
import { hashSecret } from '../secrets.ts';

/**
 * The modules whose jobs the FusionInventory protocol carries (see README, "Moving
 * FusionInventory agents"): those with a FusionInventory hook, whoever registered them.
 */
export function fusionInventoryModules(modules: ModuleRegistry): string[] {
  return modules
    .list()
    .filter((module) => module.fusionInventory)
    .map((module) => module.name);
}
/** The agent counts its contact period (PROLOG_FREQ) in hours. */
export const FUSIONINVENTORY_CONTACT_SECONDS = 3600;

export interface Caller {
  token: EnrolmentToken;
  deviceId: string;
  /** From the User-Agent ("FusionInventory-Agent_v2.6-3" → "2.6-3"). */
  version: string | null;
}

export interface AgentDeps {
  store: Store;
  modules: ModuleRegistry;
}

export async function fusionInventoryAgent(deps: AgentDeps, caller: Caller, now: number): Promise<Agent> {
  const { store } = deps;
  if (!DEVICE_ID.test(caller.deviceId)) {
    throw new TaskwardenError('invalid_input', 'DEVICEID: must be 1 to 255 visible characters');
  }
  const known = await store.agents.getByDevice(caller.token.orgId, caller.deviceId);
  if (known && known.kind !== 'fusioninventory') {
    throw new TaskwardenError(
      'device_is_taskwarden_agent',
      `device "${caller.deviceId}" is enrolled as a Taskwarden agent`,
    );
  }
  const agent = known ? await boundTo(store, known, caller, now) : await enrol(deps, caller, now);
  if (!agent.enabled)
    throw new TaskwardenError('agent_disabled', 'this agent is disabled: an administrator must enable it');
  return agent;
}

export function agentVersionOf(userAgent: string | undefined): string | null {
  const match = /_v([\w.+-]{1,40})/.exec(userAgent ?? '');
  return match ? (match[1] as string) : null;
}

/**
 * The known agent, if the caller's token is the one it enrolled with. An agent enrolled
 * before tokens were remembered takes the first token that names it. Another token moves it
 * only with an administrator's leave, as one use of that token.
 */
async function boundTo(store: Store, known: Agent, caller: Caller, now: number): Promise<Agent> {
  const { token } = caller;
  if (known.enrolmentTokenId === token.id) return known;
  if (known.enrolmentTokenId === null) {
    await store.agents.update(known.id, { enrolmentTokenId: token.id });
    return { ...known, enrolmentTokenId: token.id };
  }
  const moved = await store.transaction(async (tx) => {
    if (!(await tx.enrolmentTokens.consume(token.id, now))) return null;
    await requireReenrolmentLeave(tx, known, now);
    const patch = { enrolmentTokenId: token.id, tags: withTokenTags(known.tags, token) };
    await tx.agents.update(known.id, patch);
    return { ...known, ...patch, reenrolUntil: null };
  });
  return moved ?? usedUp();
}

function usedUp(): never {
  throw new TaskwardenError(
    'enrolment_token_spent',
    'the enrolment token is expired or used up: it serves the machines it enrolled but enrols no new one',
  );
}

/** The agent, then one use of the token, in one transaction: a refused token writes nothing. */
async function enrol({ store, modules }: AgentDeps, caller: Caller, now: number): Promise<Agent> {
  const { token, deviceId } = caller;
  const agent: Agent = {
    id: newId(),
    orgId: token.orgId,
    kind: 'fusioninventory',
    deviceId,
    name: hostOfDeviceId(deviceId),
    tags: withTokenTags([], token),
    requestedTags: [],
    // The agent never sees it: it authenticates with the enrolment token on every call.
    secretHash: hashSecret(newAgentSecret()),
    enabled: true,
    version: caller.version,
    modules: fusionInventoryModules(modules),
    wakeUrl: null,
    contactSeconds: FUSIONINVENTORY_CONTACT_SECONDS,
    lastContactAt: null,
    lastWakeError: null,
    lastWakeErrorAt: null,
    reenrolUntil: null,
    enrolmentTokenId: token.id,
    createdAt: now,
  };
  try {
    return await store.transaction((tx) =>
      writeThenSpendUse(tx, { token, now, refused: usedUp }, () => tx.agents.create(agent)),
    );
  } catch (err) {
    // The agent's scan threads each send their first message at once: one enrolment wins.
    const winner =
      err instanceof TaskwardenError &&
      err.code === 'agent_already_enrolled' &&
      (await store.agents.getByDevice(token.orgId, deviceId));
    if (winner) return winner;
    throw err;
  }
}

/** Remembers the contact (PROLOG) and the agent's version; returns the agent as it is now. */
export async function recordPrologContact(
  store: Store,
  agent: Agent,
  version: string | null,
  now: number,
): Promise<Agent> {
  const patch = { lastContactAt: now, ...(version !== null && version !== agent.version ? { version } : {}) };
  await store.agents.update(agent.id, patch);
  return { ...agent, ...patch };
}
