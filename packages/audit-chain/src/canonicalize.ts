/** RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string every verifier hashes for an event. */
import type { AuditEvent } from "./event.js";
import { canonicalTextOf } from "./validated-events.js";

/**
 * Serializes a JSON value per RFC 8785: object keys sorted by UTF-16 code units, numbers in ECMAScript
 * `Number.prototype.toString` form (RFC 8785 §3.2.2.3), strings with the minimal escaping of §3.2.2.2, no
 * whitespace. Object members whose value is `undefined` are omitted, as `JSON.stringify` does.
 *
 * Throws TypeError for anything without one canonical JSON form: non-finite numbers, bigint, functions,
 * symbols, `undefined` outside an object member, non-plain objects, cycles, and strings holding a lone
 * UTF-16 surrogate (I-JSON, RFC 7493 §2.1: it has no UTF-8 encoding, so two strings would hash alike).
 *
 * @example canonicalizeJson({ b: 1, a: [true, "x"] }) // '{"a":[true,"x"],"b":1}'
 */
export function canonicalizeJson(value: unknown): string {
  // Fast path: a key-sorted copy serialized by the engine's JSON.stringify, whose number and string forms are
  // exactly RFC 8785's. It declines anything the slow writer would refuse or that object key order cannot
  // express (integer-like keys, which JavaScript always enumerates first), and the slow writer then decides.
  const sorted = sortedCopy(value, 0);
  if (sorted !== DECLINED) return JSON.stringify(sorted);
  const parts: string[] = [];
  writeValue(value, parts, new Set(), []);
  return parts.join("");
}

const DECLINED = Symbol("declined");
// Deeper than any audit event; past it the slow writer (which also detects cycles) takes over.
const FAST_PATH_MAX_DEPTH = 32;
// Keys JavaScript enumerates before all others, in numeric order: a copy cannot hold them in RFC 8785 order.
const INTEGER_LIKE_KEY = /^(?:0|[1-9][0-9]*)$/;

function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
      return LONE_SURROGATE.test(value) ? DECLINED : value;
    case "number":
      return Number.isFinite(value) ? value : DECLINED;
    case "boolean":
      return value;
    case "object": {
      if (value === null) return null;
      if (depth >= FAST_PATH_MAX_DEPTH) return DECLINED;
      if (Array.isArray(value)) {
        const copy: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i] === undefined ? DECLINED : sortedCopy(value[i], depth + 1);
          if (item === DECLINED) return DECLINED;
          copy[i] = item;
        }
        return copy;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return DECLINED;
      const record = value as Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        if (key === "__proto__" || LONE_SURROGATE.test(key)) return DECLINED; // assigning it would set the prototype
        const first = key.charCodeAt(0);
        if (first >= 0x30 && first <= 0x39 && INTEGER_LIKE_KEY.test(key)) return DECLINED;
        const item = sortedCopy(member, depth + 1);
        if (item === DECLINED) return DECLINED;
        copy[key] = item;
      }
      return copy;
    }
    default:
      return DECLINED;
  }
}

/**
 * The canonical (RFC 8785) JSON text of an audit event: what the chain HMAC and Merkle leaves commit to. For
 * an event `parseAuditEvent` returned (deep-frozen) the text is computed once and remembered.
 */
export function canonicalizeEvent(event: AuditEvent): string {
  return canonicalTextOf(event, () => canonicalizeJson(event));
}

// The path of the value being written, as keys and indexes; turned into text only for an error message.
type Path = (string | number)[];
const pathText = (path: Path) =>
  `$${path.map((part) => (typeof part === "number" ? `[${part}]` : `.${part}`)).join("")}`;

function writeValue(value: unknown, out: string[], ancestors: Set<object>, path: Path): void {
  switch (typeof value) {
    case "string":
      out.push(quoteString(value, path));
      return;
    case "number":
      if (!Number.isFinite(value))
        throw new TypeError(`${pathText(path)}: ${value} has no JSON form (RFC 8785 §3.2.2.3)`);
      // ECMAScript Number::toString is exactly the RFC 8785 number form; it already prints -0 as "0".
      out.push(String(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object":
      if (value === null) {
        out.push("null");
        return;
      }
      writeContainer(value, out, ancestors, path);
      return;
    default:
      throw new TypeError(`${pathText(path)}: a ${typeof value} has no canonical JSON form`);
  }
}

function writeContainer(value: object, out: string[], ancestors: Set<object>, path: Path): void {
  if (ancestors.has(value)) throw new TypeError(`${pathText(path)}: cyclic structure has no JSON form`);
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      const item: unknown = value[i];
      path.push(i);
      if (item === undefined)
        throw new TypeError(`${pathText(path)}: undefined array items have no JSON form`);
      writeValue(item, out, ancestors, path);
      path.pop();
    }
    out.push("]");
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`${pathText(path)}: only plain objects have a canonical JSON form`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 requires.
    const keys = Object.keys(record).sort();
    let first = true;
    out.push("{");
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      if (!first) out.push(",");
      first = false;
      path.push(key);
      out.push(quoteString(key, path), ":");
      writeValue(member, out, ancestors, path);
      path.pop();
    }
    out.push("}");
  }
  ancestors.delete(value);
}

// In Unicode mode a surrogate class matches only a surrogate that is not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

// RFC 8785 §3.2.2.2 escapes only `"`, `\`, and U+0000..U+001F (as \b \t \n \f \r or lowercase \u00xx), which is
// exactly what JSON.stringify does for a well-formed string; lone surrogates are refused, not escaped.
function quoteString(text: string, path: Path): string {
  if (LONE_SURROGATE.test(text)) {
    const index = text.search(LONE_SURROGATE);
    throw new TypeError(
      `${pathText(path)}: string holds a lone UTF-16 surrogate at index ${index} (not valid I-JSON)`,
    );
  }
  return JSON.stringify(text);
}
