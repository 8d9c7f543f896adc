/** A caller's Idempotency-Key, kept with the run its first request started. */
export interface IdempotencyRecord {
  /** Whose key it is (a user id): keys of different callers never meet. */
  scope: string;
  key: string;
  /** What the key was first used for (method and path); another request with it is refused. */
  request: string;
  runId: string;
  createdAt: number;
}

export interface IdempotencyRepo {
  /**
   * Records the key, replacing a record of (scope, key) created before `liveSince`. Returns
   * false, writing nothing, when a live record holds the key — one committed meanwhile by
   * another transaction, on any node, too: the unique key decides, not an earlier read.
   */
  claim(record: IdempotencyRecord, liveSince: number): Promise<boolean>;
  /** The record of (scope, key) when it was created at or after `liveSince`. */
  get(scope: string, key: string, liveSince: number): Promise<IdempotencyRecord | null>;
  /** Forgets records created before `before`; returns how many. */
  deleteCreatedBefore(before: number): Promise<number>;
}
