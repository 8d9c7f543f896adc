import { type Static, Type } from 'typebox';
import { Id, IsoTime, OrgPageQuery } from './common.ts';

/** The ledger's outcomes are the terminal jobstate statuses. */
export const LedgerOutcome = Type.Enum(['finished', 'error', 'cancelled', 'skipped']);

export const LedgerQuery = Type.Object({
  ...OrgPageQuery.properties,
  task: Type.Optional(Id),
  job: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'an agent id, or "server"' })),
  outcome: Type.Optional(LedgerOutcome),
});
export type LedgerQuery = Static<typeof LedgerQuery>;

/** The last outcome of one job of a task on one target, whichever run and attempt it came from. */
export const LedgerEntryView = Type.Object({
  taskId: Id,
  taskName: Type.String(),
  orgId: Id,
  job: Type.String(),
  agentId: Type.Union([Id, Type.Null()], { description: 'null = the server' }),
  agentName: Type.Union([Type.String(), Type.Null()], { description: 'null for the server or an agent deleted since' }),
  runId: Id,
  attempt: Type.Union([Type.Integer(), Type.Null()]),
  outcome: LedgerOutcome,
  reason: Type.Union([Type.String(), Type.Null()]),
  result: Type.Unknown(),
  at: IsoTime,
});
export type LedgerEntryView = Static<typeof LedgerEntryView>;
