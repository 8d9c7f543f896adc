import { agentPresence, nextContactAt } from '../core/diagnostics.ts';
import type { Agent, EnrolmentToken } from '../core/model.ts';
import type { AgentView, EnrolmentTokenView } from '../protocol/agents.ts';
import { iso, isoOrNull } from './views.ts';

/** An agent as the API shows it: no secret hash, presence derived from its last contact. */
export function agentView(agent: Agent, now: number): AgentView {
  return {
    id: agent.id,
    orgId: agent.orgId,
    kind: agent.kind,
    deviceId: agent.deviceId,
    name: agent.name,
    tags: agent.tags,
    requestedTags: agent.requestedTags,
    enabled: agent.enabled,
    version: agent.version,
    modules: agent.modules,
    wakeUrl: agent.wakeUrl,
    contactSeconds: agent.contactSeconds,
    presence: agentPresence(agent, now),
    lastContactAt: isoOrNull(agent.lastContactAt),
    nextContactAt: isoOrNull(nextContactAt(agent)),
    lastWakeError: agent.lastWakeError,
    lastWakeErrorAt: isoOrNull(agent.lastWakeErrorAt),
    reenrolAllowedUntil: agent.reenrolUntil !== null && agent.reenrolUntil > now ? iso(agent.reenrolUntil) : null,
    enrolmentTokenId: agent.enrolmentTokenId,
    timezone: agent.timezoneOverride ?? agent.timezone ?? null,
    reportedTimezone: agent.timezone ?? null,
    timezoneOverridden: (agent.timezoneOverride ?? null) !== null,
    createdAt: iso(agent.createdAt),
  };
}

export function enrolmentTokenView(token: EnrolmentToken): EnrolmentTokenView {
  return {
    id: token.id,
    orgId: token.orgId,
    tags: token.tags,
    usesLeft: token.usesLeft,
    expiresAt: iso(token.expiresAt),
    createdAt: iso(token.createdAt),
    createdBy: token.createdBy,
    revokedAt: isoOrNull(token.revokedAt),
  };
}
