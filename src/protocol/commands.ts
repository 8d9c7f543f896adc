import { type Static, Type } from 'typebox';
import { Id, IsoTime } from './common.ts';

/**
 * A catalog command in the Contract's shape. The server checks it with the core's catalog
 * rules (placeholders as whole arguments, typed params), which name the bad field; this
 * schema documents it. `global: true` (admin only) makes a command every org can use.
 */
export const CreateCommandBody = Type.Object(
  {
    name: Type.String({ description: 'a-z, 0-9, . _ -' }),
    description: Type.Optional(Type.String()),
    argv: Type.Array(Type.String(), { description: 'program then arguments; "{param}" elements are substituted' }),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), {
        description: 'a JSON schema per param, plus `secret: true` (shown as ***), `env: "NAME"` or `stdin: true`',
      }),
    ),
    runsOn: Type.Optional(Type.Enum(['server', 'agent', 'both'])),
    timeout: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    global: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
export type CreateCommandBody = Static<typeof CreateCommandBody>;

export const CommandView = Type.Object({
  id: Id,
  orgId: Type.Union([Id, Type.Null()], { description: 'null for a global command' }),
  name: Type.String(),
  description: Type.String(),
  argv: Type.Array(Type.String()),
  params: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
  runsOn: Type.Enum(['server', 'agent', 'both']),
  timeoutSeconds: Type.Integer(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type CommandView = Static<typeof CommandView>;
