/**
 * Text that goes into audit events. The chain seals an event's canonical JSON, which has no form for a lone
 * UTF-16 surrogate (RFC 8785, I-JSON): a string cut through a surrogate pair, or one a client smuggled in,
 * would make its event unsealable. Clip and repair here, never with a bare `slice`.
 */

// In Unicode mode a surrogate class matches only a surrogate that is not half of a pair.
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;
const HAS_LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** `text` with every lone surrogate replaced by U+FFFD (what a UTF-8 decoder shows for one). */
export function replaceLoneSurrogates(text: string): string {
  return HAS_LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, "\uFFFD") : text;
}

/**
 * At most `maxLength` UTF-16 code units (the unit the event schema counts), cut between code points and ending
 * in "…" when cut, with lone surrogates replaced by U+FFFD.
 *
 * @example clipAuditText(`${"a".repeat(198)}😀`, 200) // 198 × "a" + "…", never half the emoji
 */
export function clipAuditText(text: string, maxLength: number): string {
  const wellFormed = replaceLoneSurrogates(text);
  if (wellFormed.length <= maxLength) return wellFormed;
  let end = maxLength - 1;
  const last = wellFormed.charCodeAt(end - 1);
  // The kept part would end in the high half of a pair whose low half is cut off.
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${wellFormed.slice(0, end)}…`;
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
