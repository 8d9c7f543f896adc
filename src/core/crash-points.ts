/**
 * Test only: the moments at which a server process can be made to kill itself with SIGKILL
 * (TASKWARDEN_TEST_CRASH_AT), so fault tests hit windows too short to aim a signal at from
 * outside. Each is a place where a crash must lose nothing and run nothing twice.
 */
export const CRASH_POINTS = [
  /** A server command's jobstate is claimed (committed), nothing recorded or spawned yet. */
  'command-claimed',
  /** A server command's program was spawned, its process group not yet recorded. */
  'command-spawned',
  /** Jobs were claimed (committed) for an agent, the contact's reply not sent yet. */
  'agent-claimed',
  /** A contact's reply handing out jobs was sent, the agent's first event not received yet. */
  'agent-reply-sent',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Called at each crash point; kills the process at the configured one, does nothing elsewhere. */
export type CrashAt = (point: CrashPoint) => void;
