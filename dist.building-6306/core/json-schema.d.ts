export type SchemaValidator = (value: unknown, field: string) => unknown;
/**
 * Compiles `schema` once. The returned function validates a copy of the value (defaults
 * are filled into the copy, never into the caller's object) and returns that copy.
 * Throws ajv's own error when the schema itself is invalid: that is a programming error.
 */
export declare function compileSchema(schema: Record<string, unknown>, opts?: {
    useDefaults?: boolean;
}): SchemaValidator;
/** Removes a compiled schema from the shared ajv instance, for callers that cache and evict. */
export declare function forgetSchema(schema: Record<string, unknown>): void;
