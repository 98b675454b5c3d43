/**
 * Text that goes into audit events. The chain seals an event's canonical JSON, which has no form for a lone
 * UTF-16 surrogate (RFC 8785, I-JSON): a string cut through a surrogate pair, or one a client smuggled in,
 * would make its event unsealable. Clip and repair here, never with a bare `slice`. Free text (reasons, user
 * agents, emails) also comes from clients, so control characters in it are shown as escapes: an admin reading
 * the log in a terminal must not get escape sequences, forged lines or reordered (bidi) text.
 */

// In Unicode mode a surrogate class matches only a surrogate that is not half of a pair.
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;
const HAS_LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** `text` with every lone surrogate replaced by U+FFFD (what a UTF-8 decoder shows for one). */
export function replaceLoneSurrogates(text: string): string {
  return HAS_LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, "\uFFFD") : text;
}

/** C0 and C1 controls, DEL, the line and paragraph separators, and the bidi overrides and isolates. */
export const isInvisible = (code: number): boolean =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x2028 ||
  code === 0x2029 ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

// The characters isInvisible accepts, as a pattern.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const HAS_INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const NAMED_ESCAPES: Readonly<Record<number, string>> = { 9: "\\t", 10: "\\n", 13: "\\r" };

/** How one code point is written in audit text: itself, or a visible escape (`\x1b`, `\n`, `\u202e`). */
function shownAs(char: string): string {
  const code = char.charCodeAt(0);
  if (!isInvisible(code)) return char;
  return (
    NAMED_ESCAPES[code] ??
    (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`)
  );
}

/**
 * At most `maxLength` UTF-16 code units (the unit the event schema counts), cut between code points and ending
 * in "…" when cut, with lone surrogates replaced by U+FFFD and every {@link isInvisible} character written as
 * a visible escape (never cut in half).
 *
 * @example clipAuditText(`${"a".repeat(198)}😀`, 200) // 198 × "a" + "…", never half the emoji
 * @example clipAuditText("denied\x1b[2K\nforged", 100) // "denied\\x1b[2K\\nforged"
 */
export function clipAuditText(text: string, maxLength: number): string {
  const wellFormed = replaceLoneSurrogates(text);
  // Most text (every request path) has nothing to escape: no per-character work for it.
  if (!HAS_INVISIBLE.test(wellFormed)) {
    if (wellFormed.length <= maxLength) return wellFormed;
  } else {
    let shown = "";
    for (const char of wellFormed) shown += shownAs(char);
    if (shown.length <= maxLength) return shown;
  }
  let kept = "";
  for (const char of wellFormed) {
    const piece = shownAs(char);
    if (kept.length + piece.length > maxLength - 1) break;
    kept += piece;
  }
  return `${kept}…`;
}

/**
 * A copy of JSON-like `value` whose strings (object keys too) hold no lone surrogate; `value` itself when it
 * already has none. Anything that is not a string, array or plain object is returned as it is.
 */
export function withWellFormedText<T>(value: T): T {
  return repair(value) as T;
}

function repair(value: unknown): unknown {
  if (typeof value === "string") return replaceLoneSurrogates(value);
  if (Array.isArray(value)) {
    const items = value.map(repair);
    return items.every((item, i) => item === value[i]) ? value : items;
  }
  if (typeof value !== "object" || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let changed = false;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const repairedKey = replaceLoneSurrogates(key);
    const repaired = repair(member);
    if (repairedKey !== key || repaired !== member) changed = true;
    // defineProperty, not assignment: an own "__proto__" key must stay a key, not become the prototype.
    Object.defineProperty(copy, repairedKey, {
      value: repaired,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return changed ? copy : value;
}
