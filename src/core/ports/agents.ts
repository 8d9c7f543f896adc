import type { Agent, EnrolmentToken, TargetSpec } from '../model.ts';
import type { Page, Paged } from './page.ts';

export type AgentPatch = Partial<
  Pick<
    Agent,
    | 'kind'
    | 'name'
    | 'tags'
    | 'requestedTags'
    | 'secretHash'
    | 'enabled'
    | 'version'
    | 'modules'
    | 'wakeUrl'
    | 'contactSeconds'
    | 'lastContactAt'
    | 'lastWakeError'
    | 'lastWakeErrorAt'
    | 'reenrolUntil'
    | 'enrolmentTokenId'
    | 'timezone'
    | 'timezoneOverride'
  >
>;

export interface AgentFilter {
  orgId?: string | undefined;
  /** Agents having ANY of these tags. */
  tags?: string[] | undefined;
  enabled?: boolean | undefined;
}

/** The target specs that name agents; `{server: true}` is the engine's own business. */
export type AgentTargetSpec = Exclude<TargetSpec, { server: true }>;

export interface AgentRepo {
  /** Fails with `conflict` when the org already has an agent of that deviceId (or the secret hash is taken). */
  create(agent: Agent): Promise<Agent>;
  get(id: string): Promise<Agent | null>;
  /** The agents of these secret hashes that exist, in no particular order (the contacts of one turn authenticate at once). */
  getManyBySecretHash(hashes: readonly string[]): Promise<Agent[]>;
  getByDevice(orgId: string, deviceId: string): Promise<Agent | null>;
  /** Oldest first. */
  list(filter: AgentFilter, page: Page): Promise<Paged<Agent>>;
  /** Returns false when the agent does not exist. */
  update(id: string, patch: AgentPatch): Promise<boolean>;
  /** Sets `lastContactAt` of these agents (those that exist) to `at`: a group commit's contacts, in one write. */
  touchContacts(ids: readonly string[], at: number): Promise<void>;
  /**
   * Uses up the agent's re-enrolment leave: clears `reenrolUntil` if it is later than `now`,
   * in one conditional write, so of two enrolments racing for one leave only one gets true.
   */
  takeReenrolment(id: string, now: number): Promise<boolean>;
  /** Deletes the agent record (its jobstates stay, naming an agent that is gone). */
  delete(id: string): Promise<void>;
  /**
   * The ids of the org's enabled agents a job's targets name, sorted: the listed ones
   * (ids of other orgs or unknown ids are ignored), those with ANY of the tags, or all.
   */
  resolveTargets(orgId: string, spec: AgentTargetSpec): Promise<string[]>;
  /** Each listed agent's zone (the override, else the reported one); unknown ids and agents without one are left out. */
  timezones(ids: readonly string[]): Promise<Map<string, string>>;
}

export interface EnrolmentTokenRepo {
  create(token: EnrolmentToken): Promise<EnrolmentToken>;
  get(id: string): Promise<EnrolmentToken | null>;
  findByHash(hash: string): Promise<EnrolmentToken | null>;
  /**
   * Uses the token once, atomically: decrements usesLeft only while it is > 0, the token
   * has not expired (expiresAt > now) and is not revoked. False (and nothing changed) otherwise.
   */
  consume(id: string, now: number): Promise<boolean>;
  /** Oldest first; orgId undefined = every org. */
  list(orgId: string | undefined, page: Page): Promise<Paged<EnrolmentToken>>;
  /** Keeps the first revocation time. */
  revoke(id: string, at: number): Promise<void>;
}
