/** The rule as a JSON-schema pattern, for the wire schemas (protocol/common.ts `Printable`). */
export declare const PRINTABLE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$";
export declare const PRINTABLE_HINT = "must be printable text: no control characters (ESC, BEL, line breaks\u2026) or bidi overrides";
export declare function isPrintable(text: string): boolean;
/**
 * The text with every character the rule refuses written as a visible escape (`\x1b`,
 * `\u202e`): for output to a terminal of text the rule may not have checked (stored before
 * it, reported by a program or a FusionInventory agent). `json`, for JSON.stringify's
 * output (whose strings have C0 escaped already, and whose line breaks are layout): the
 * rest as `\uXXXX`, so the text stays JSON meaning the same.
 */
export declare function escapeUnprintable(text: string, style?: 'text' | 'json'): string;
