/**
 * Text shown to people as it is — names, tags, descriptions — is printable: letters of any
 * script, digits, marks, symbols and spaces, but no character that acts instead of showing.
 * On a terminal ESC starts escape sequences (retitle the window, clear the screen, rewrite
 * lines), BEL rings, CR and LF fake lines; in a UI the bidi embeddings, overrides and
 * isolates reorder what is shown ("Trojan Source": `exe.txt` reading as `txt.exe`).
 * Refused: C0 controls U+0000–U+001F, DEL U+007F, C1 controls U+0080–U+009F, the line and
 * paragraph separators U+2028/U+2029, U+202A–U+202E and U+2066–U+2069.
 */
const UNPRINTABLE_RANGES = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

/** The rule as a JSON-schema pattern, for the wire schemas (protocol/common.ts `Printable`). */
export const PRINTABLE_PATTERN = `^[^${UNPRINTABLE_RANGES}]*$`;
export const PRINTABLE_HINT =
  'must be printable text: no control characters (ESC, BEL, line breaks…) or bidi overrides';

const PRINTABLE = new RegExp(PRINTABLE_PATTERN, 'u');
const UNPRINTABLE = new RegExp(`[${UNPRINTABLE_RANGES}]`, 'gu');

export function isPrintable(text: string): boolean {
  return PRINTABLE.test(text);
}

/**
 * The text with every character the rule refuses written as a visible escape (`\x1b`,
 * `\u202e`): for output to a terminal of text the rule may not have checked (stored before
 * it, reported by a program or a FusionInventory agent). `json`, for JSON.stringify's
 * output (whose strings have C0 escaped already, and whose line breaks are layout): the
 * rest as `\uXXXX`, so the text stays JSON meaning the same.
 */
export function escapeUnprintable(text: string, style: 'text' | 'json' = 'text'): string {
  return text.replace(UNPRINTABLE, (c) => {
    if (style === 'json' && c === '\n') return c;
    const code = c.charCodeAt(0);
    const short = code < 0x100 && style === 'text';
    return short ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
