/**
 * Text from the gateway, the rack or the command line made safe to print: a terminal must never receive a control
 * character it would act on (ESC sequences retitle windows and erase lines; a newline forges a separate record;
 * bidi overrides reorder what is read). Each becomes a visible escape such as `\x1b`, `\n` or `\u202e`.
 */

const NAMED: Readonly<Record<number, string>> = { 9: "\\t", 10: "\\n", 13: "\\r" };

/** C0 and C1 controls, DEL, the line and paragraph separators and the bidi overrides and isolates. */
export function isUnsafeCodePoint(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return (
    NAMED[code] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`)
  );
}

/**
 * `text` on one line with every unsafe character shown as an escape; printable text (any script, emoji) is kept.
 *
 * @example printable("a\x1b]0;pwned\x07\nb") // "a\\x1b]0;pwned\\x07\\nb"
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** Like {@link printable} but keeps line breaks: for our own multi-line messages that may quote foreign text. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}
