/** A server process sharing the store, as it last said (GET /api/v1/nodes). */
export interface NodeRecord {
  /** The engine's node id (the prefix of its lease owners). */
  id: string;
  hostname: string;
  pid: number;
  version: string;
  startedAt: number;
  /** Its last heartbeat. */
  seenAt: number;
  /** Set when it shut down cleanly; null while it runs, or when it died. */
  stoppedAt: number | null;
  /**
   * How far its own clock was ahead of the database's (ms, negative: behind) at its last
   * heartbeat; null where the store has no clock of its own (one node, which is the clock).
   */
  clockOffsetMs: number | null;
}

export interface NodeRepo {
  /** Inserts the node, or updates it (hostname, pid, version, seenAt, clockOffsetMs; stoppedAt back to null). */
  heartbeat(node: Omit<NodeRecord, 'stoppedAt'>): Promise<void>;
  /** Every node, oldest start first. */
  list(): Promise<NodeRecord[]>;
  markStopped(id: string, at: number): Promise<void>;
  /** Forgets nodes whose last heartbeat is older than `before`; returns how many. */
  deleteSeenBefore(before: number): Promise<number>;
}
