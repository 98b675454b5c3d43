/** RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string every verifier hashes for an event. */
import type { AuditEvent } from "./event.js";

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
  const parts: string[] = [];
  writeValue(value, parts, new Set(), "$");
  return parts.join("");
}

/** The canonical (RFC 8785) JSON text of an audit event: what the chain HMAC and Merkle leaves commit to. */
export function canonicalizeEvent(event: AuditEvent): string {
  return canonicalizeJson(event);
}

function writeValue(value: unknown, out: string[], ancestors: Set<object>, path: string): void {
  switch (typeof value) {
    case "string":
      out.push(quoteString(value, path));
      return;
    case "number":
      if (!Number.isFinite(value))
        throw new TypeError(`${path}: ${value} has no JSON form (RFC 8785 §3.2.2.3)`);
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
      throw new TypeError(`${path}: a ${typeof value} has no canonical JSON form`);
  }
}

function writeContainer(value: object, out: string[], ancestors: Set<object>, path: string): void {
  if (ancestors.has(value)) throw new TypeError(`${path}: cyclic structure has no JSON form`);
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      const item: unknown = value[i];
      if (item === undefined) throw new TypeError(`${path}[${i}]: undefined array items have no JSON form`);
      writeValue(item, out, ancestors, `${path}[${i}]`);
    }
    out.push("]");
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`${path}: only plain objects have a canonical JSON form`);
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
      out.push(quoteString(key, path), ":");
      writeValue(member, out, ancestors, `${path}.${key}`);
    }
    out.push("}");
  }
  ancestors.delete(value);
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  8: "\\b",
  9: "\\t",
  10: "\\n",
  12: "\\f",
  13: "\\r",
  34: '\\"',
  92: "\\\\",
};

// RFC 8785 §3.2.2.2: escape only `"`, `\` and U+0000..U+001F; everything else is emitted as itself.
function quoteString(text: string, path: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      throw new TypeError(`${path}: string holds a lone UTF-16 surrogate at index ${i} (not valid I-JSON)`);
    }
    if (unit >= 0x20 && unit !== 0x22 && unit !== 0x5c) continue;
    out += text.slice(runStart, i) + (SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, "0")}`);
    runStart = i + 1;
  }
  return `${out + text.slice(runStart)}"`;
}
