import { type Static, Type } from 'typebox';
import { Id, IsoTime } from './common.ts';

export const NAME_PATTERN_SOURCE = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

export const CreateOrgBody = Type.Object(
  { name: Type.String({ pattern: NAME_PATTERN_SOURCE, description: '1-64 letters, digits, . _ -' }) },
  { additionalProperties: false },
);
export type CreateOrgBody = Static<typeof CreateOrgBody>;

export const OrgView = Type.Object({ id: Id, name: Type.String(), createdAt: IsoTime });
export type OrgView = Static<typeof OrgView>;

/** An org named by id or by name in a path. */
export const OrgParams = Type.Object({ org: Type.String({ minLength: 1, maxLength: 100 }) });
