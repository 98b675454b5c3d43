// HTTP header sets: records, Headers, Maps, [name, value] tuples and Node's flat rawHeaders arrays.
import { isSensitiveNameWith } from "./classify-name.js";
import { MAX_HEADER_ENTRIES, UNREADABLE } from "./markers.js";
import { redactTextWith } from "./redact-text.js";
import { type CompiledRules, compileRules, type RedactionRules } from "./rules.js";

/** Anything that iterates `[name, value]` pairs: `Headers`, `Map`, an array of tuples. */
export type HeaderEntries = Iterable<readonly [string, string | readonly string[] | number | undefined]>;

/** A header record (Node's `IncomingHttpHeaders`), a `Headers`-like iterable, or Node's flat `rawHeaders`. */
export type HeadersInput =
  | Readonly<Record<string, string | readonly string[] | number | undefined>>
  | HeaderEntries
  | readonly string[];

function collectEntries(headers: object): Array<readonly [unknown, unknown]> {
  const entries: Array<readonly [unknown, unknown]> = [];
  try {
    if (Array.isArray(headers) && headers.every((item) => typeof item === "string")) {
      // Node's rawHeaders: ["Host", "x", "Authorization", "Bearer …"].
      for (let index = 0; index + 1 < headers.length && index < 2 * MAX_HEADER_ENTRIES; index += 2)
        entries.push([headers[index], headers[index + 1]]);
      return entries;
    }
    if (Symbol.iterator in headers && typeof headers[Symbol.iterator] === "function") {
      for (const entry of headers as Iterable<unknown>) {
        // An endless iterator must not stall the log path.
        if (entries.length >= MAX_HEADER_ENTRIES) break;
        if (Array.isArray(entry)) entries.push([entry[0], entry[1]]);
      }
      return entries;
    }
    for (const name of Object.keys(headers).slice(0, MAX_HEADER_ENTRIES)) {
      try {
        entries.push([name, (headers as Record<string, unknown>)[name]]);
      } catch {
        entries.push([name, UNREADABLE]);
      }
    }
  } catch {
    // A throwing iterator or Proxy trap: keep what was read so far.
  }
  return entries;
}

function toStrings(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.map((item) => (typeof item === "string" ? item : safeString(item)));
  return [safeString(value)];
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return UNREADABLE;
  }
}

export function redactHeadersWith(
  headers: object,
  compiled: CompiledRules,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  const seen = new Map<string, { values: string[]; list: boolean }>();
  for (const [rawName, rawValue] of collectEntries(headers)) {
    if (typeof rawName !== "string") continue;
    const values = toStrings(rawValue);
    if (values === undefined) continue;
    const name = rawName.toLowerCase();
    const sensitive = isSensitiveNameWith(name, compiled);
    const redacted = values.map((value) =>
      sensitive && value !== "" ? compiled.replacement : redactTextWith(value, compiled),
    );
    const previous = seen.get(name);
    if (previous === undefined) seen.set(name, { values: redacted, list: Array.isArray(rawValue) });
    else seen.set(name, { values: [...previous.values, ...redacted], list: true });
  }
  for (const [name, { values, list }] of seen) {
    const value = list ? values : (values[0] ?? "");
    Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/**
 * Returns a new record of lowercased header names: values of sensitive headers (`authorization`,
 * `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key`, anything {@link isSensitiveName} accepts) are
 * replaced, others scanned as by {@link redactString}. Repeated names are merged into an array; `undefined`
 * values are dropped; a throwing iterator or getter never escapes.
 * @example redactHeaders({ Authorization: "Bearer abc", Accept: "*\/*" })
 * // { authorization: "[REDACTED]", accept: "*\/*" }
 */
export function redactHeaders(
  headers: HeadersInput,
  rules?: RedactionRules,
): Record<string, string | string[]> {
  const compiled = compileRules(rules);
  if (typeof headers !== "object" || headers === null) {
    throw new TypeError(
      "redactHeaders(headers) takes a header record, a Headers object or [name, value] pairs.",
    );
  }
  return redactHeadersWith(headers, compiled);
}
