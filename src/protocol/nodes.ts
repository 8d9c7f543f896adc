import { type Static, Type } from 'typebox';
import { Id, IsoTime, NullableIsoTime } from './common.ts';

/** A server node sharing the store (GET /api/v1/nodes, admin). */
export const NodeView = Type.Object({
  id: Id,
  hostname: Type.String(),
  pid: Type.Integer(),
  version: Type.String(),
  startedAt: IsoTime,
  /** Its last heartbeat. */
  seenAt: IsoTime,
  /** When it shut down cleanly; null while it runs or when it died. */
  stoppedAt: NullableIsoTime,
  /** Not stopped, and its last heartbeat is within the engine's lease time. */
  alive: Type.Boolean(),
  /**
   * How far its own clock was ahead of the database's at its last heartbeat (ms, negative:
   * behind); null where the store has no clock of its own (SQLite: one node, the clock).
   */
  clockOffsetMs: Type.Union([Type.Integer(), Type.Null()]),
  /** Its clock is more than 5 s off the database's (it logged a warning). */
  clockSkewed: Type.Boolean(),
});
export type NodeView = Static<typeof NodeView>;
