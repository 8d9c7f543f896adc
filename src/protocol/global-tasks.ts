import { type Static, Type } from 'typebox';

/** An org's opt-in to see the global tasks read-only (PUT /api/v1/orgs/:org/global-tasks). */
export const GlobalTasksOptIn = Type.Object(
  {
    show: Type.Boolean({
      description: "the org's roles see the global tasks (list, show, monitoring line), read-only; off by default",
    }),
  },
  { additionalProperties: false },
);
export type GlobalTasksOptIn = Static<typeof GlobalTasksOptIn>;
