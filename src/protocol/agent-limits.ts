// Numbers of the agent protocol, without its schemas: the CLI's help shows them without loading TypeBox.

export const AGENT_LONG_POLL_MAX_SECONDS = 60;
export const AGENT_DEFAULT_LISTEN_PORT = 62354;
