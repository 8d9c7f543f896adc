// Constants of the agent protocol, apart from its schemas (agent.ts): the agent and the
// CLI's help use them without loading TypeBox.

export { AGENT_LONG_POLL_MAX_SECONDS } from '../core/agent-contact.ts';
export const AGENT_DEFAULT_LISTEN_PORT = 62354;
export const WAKE_HEADERS = {
  timestamp: 'x-taskwarden-timestamp',
  nonce: 'x-taskwarden-nonce',
  signature: 'x-taskwarden-signature',
} as const;
