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
});
export type NodeView = Static<typeof NodeView>;
