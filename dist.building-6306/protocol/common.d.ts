import { type Static, type TSchema, type TStringOptions, Type } from 'typebox';
/**
 * Shapes shared by every resource of the REST API. Times are ISO-8601 strings (UTC, `Z`)
 * at this edge; ids are UUIDv7 strings.
 */
export declare const IsoTime: Type.TString;
export declare const NullableIsoTime: Type.TUnion<[Type.TString, Type.TNull]>;
export declare const Id: Type.TString;
export declare const IdParams: Type.TObject<{
    id: Type.TString;
}>;
/**
 * Text shown to people as it is — names, tags, descriptions, versions: letters of any
 * script, digits, symbols and spaces, never control characters or bidi overrides (the rule
 * of core/printable.ts). Every such field of the API is one of these.
 */
export declare const Printable: (options?: TStringOptions) => Type.TString;
export declare const ErrorBody: Type.TObject<{
    error: Type.TObject<{
        code: Type.TString;
        message: Type.TString;
        details: Type.TOptional<Type.TUnknown>;
    }>;
}>;
export type ErrorBody = Static<typeof ErrorBody>;
export declare const MAX_PAGE_LIMIT = 1000;
export declare const DEFAULT_PAGE_LIMIT = 100;
/** `after` is the `next` cursor of the previous page. */
export declare const PageQuery: Type.TObject<{
    after: Type.TOptional<Type.TString>;
    limit: Type.TOptional<Type.TInteger>;
}>;
/**
 * Admin-only selector of the org an org-scoped request is about (id or name). Other
 * users act on their own org; naming another one answers 404.
 */
export declare const OrgQuery: Type.TObject<{
    org: Type.TOptional<Type.TString>;
}>;
export declare const OrgPageQuery: Type.TObject<{
    org: Type.TOptional<Type.TString>;
    after: Type.TOptional<Type.TString>;
    limit: Type.TOptional<Type.TInteger>;
}>;
/** Every list answers `{items, next}`; `next` is null on the last page. */
export declare function Paged<T extends TSchema>(item: T): Type.TObject<{
    items: Type.TArray<T>;
    next: Type.TUnion<[Type.TString, Type.TNull]>;
}>;
