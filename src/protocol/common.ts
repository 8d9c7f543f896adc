import { type TSchema, type TStringOptions, Type } from 'typebox';
import { PRINTABLE_PATTERN } from '../core/printable.ts';

/**
 * Shapes shared by every resource of the REST API. Times are ISO-8601 strings (UTC, `Z`)
 * at this edge; ids are UUIDv7 strings.
 */
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO-8601 date-time (UTC)' });
export const NullableIsoTime = Type.Union([IsoTime, Type.Null()]);
export const Id = Type.String({ minLength: 1, maxLength: 100 });
export const IdParams = Type.Object({ id: Id });

/**
 * Text shown to people as it is — names, tags, descriptions, versions: letters of any
 * script, digits, symbols and spaces, never control characters or bidi overrides (the rule
 * of core/printable.ts). Every such field of the API is one of these.
 */
export const Printable = (options: TStringOptions = {}) => Type.String({ ...options, pattern: PRINTABLE_PATTERN });
/** An IANA zone name's shape; the server also checks that the zone is known (checkTimeZone). */
export const TimeZoneName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z][A-Za-z0-9_+/-]*$',
  description: 'IANA time zone, e.g. "Europe/Paris"',
});

export const MAX_PAGE_LIMIT = 1000;
export const DEFAULT_PAGE_LIMIT = 100;

/** `after` is the `next` cursor of the previous page. */
export const PageQuery = Type.Object({
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT })),
});

/**
 * Admin-only selector of the org an org-scoped request is about (id or name). Other
 * users act on their own org; naming another one answers 404.
 */
export const OrgQuery = Type.Object({
  org: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

export const OrgPageQuery = Type.Object({ ...PageQuery.properties, ...OrgQuery.properties });

/** Every list answers `{items, next}`; `next` is null on the last page. */
export function Paged<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next: Type.Union([Type.String(), Type.Null()]) });
}
