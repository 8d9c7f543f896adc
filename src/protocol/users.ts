import { type Static, Type } from 'typebox';
import { Id, IsoTime, NullableIsoTime, Printable } from './common.ts';
import { NAME_PATTERN_SOURCE } from './orgs.ts';

/** Roles a user of an org can have; `admin` is global and made at first start. */
export const OrgRole = Type.Enum(['org-admin', 'operator', 'viewer']);
export const Role = Type.Enum(['admin', 'org-admin', 'operator', 'viewer']);

export const MIN_PASSWORD_LENGTH = 8;

export const CreateUserBody = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN_SOURCE, description: 'unique on the server; used to log in' }),
    role: OrgRole,
    password: Type.Optional(
      Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024, description: 'omit for token-only users' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UserView = Type.Object({
  id: Id,
  orgId: Type.Union([Id, Type.Null()]),
  name: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  hasPassword: Type.Boolean(),
  createdAt: IsoTime,
});
export type UserView = Static<typeof UserView>;

export const CreateTokenBody = Type.Object(
  {
    name: Printable({ minLength: 1, maxLength: 100 }),
    // Checked by the duration parser, whose message says what a duration looks like.
    expiresIn: Type.Optional(
      Type.Unknown({ description: 'seconds or a duration like "30d"; omit for a token that does not expire' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

export const TokenView = Type.Object({
  id: Id,
  userId: Id,
  name: Type.String(),
  createdAt: IsoTime,
  expiresAt: NullableIsoTime,
  revokedAt: NullableIsoTime,
  lastUsedAt: NullableIsoTime,
});
export type TokenView = Static<typeof TokenView>;

/** The only time the secret is shown; the server keeps its SHA-256 only. */
export const CreatedToken = Type.Object({ ...TokenView.properties, token: Type.String() });
export type CreatedToken = Static<typeof CreatedToken>;

export const TokenParams = Type.Object({ id: Id });

export const LoginBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const LoginResponse = Type.Object({ user: UserView, expiresAt: IsoTime });
export type LoginResponse = Static<typeof LoginResponse>;
