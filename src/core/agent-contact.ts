// How often an agent calls, as a number the core's presence rule and the agent protocol
// share (protocol/agent-constants.ts re-exports it for the wire schema and the agent).

/** The longest a contact may wait for work (long poll): one contact per this, at the least. */
export const AGENT_LONG_POLL_MAX_SECONDS = 60;
