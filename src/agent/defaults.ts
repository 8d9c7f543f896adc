// The agent's defaults, in a file of their own: the CLI's help shows them without loading the agent.

export const AGENT_DEFAULTS = {
  data: './taskwarden-agent',
  listenHost: '127.0.0.1',
  concurrency: 2,
} as const;

/** Where the agent reads its enrolment token when no flag gives it (any local user can read argv in ps). */
export const ENROL_TOKEN_ENV = 'TASKWARDEN_ENROL_TOKEN';
