// Deep redaction of any value: total (never throws), never mutates, bounded in depth.
import { classifyEnvKeyWith, isSensitiveNameWith } from "./classify-name.js";
import { CIRCULAR, MAX_ARRAY_ITEMS, MAX_DEPTH, MAX_REDACTION_DEPTH, UNREADABLE } from "./markers.js";
import { segmentName } from "./name-segments.js";
import { redactEnvListWith } from "./redact-env.js";
import { redactTextWith } from "./redact-text.js";
import { type CompiledRules, compileRules, type RedactionRules } from "./rules.js";

interface Walk {
  readonly compiled: CompiledRules;
  readonly ancestors: Set<object>;
}

function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a "__proto__" key from JSON.parse must stay a key, not become the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** null, undefined, booleans and "" carry no secret and tell the auditor whether a secret was set. */
function carriesNoSecret(value: unknown): boolean {
  return value === null || value === undefined || typeof value === "boolean" || value === "";
}

function redactUnderName(name: string, value: unknown, walk: Walk, depth: number): unknown {
  if (isSensitiveNameWith(name, walk.compiled) && !carriesNoSecret(value)) return walk.compiled.replacement;
  if (isEnvName(name)) return redactEnvValue(value, walk, depth);
  return redactAny(value, walk, depth);
}

/** `env`, `form.env`, `appEnv`: the value is an app's environment, so protected names count too. */
function isEnvName(name: string): boolean {
  return /env$/i.test(name) && segmentName(name).segments.at(-1) === "env";
}

function redactEnvValue(value: unknown, walk: Walk, depth: number): unknown {
  // A Convox env string ("A=1\nB=2") or a Docker-style list (["A=1", "B=2"]).
  if (typeof value === "string") return redactEnvListWith(value, walk.compiled);
  if (
    Array.isArray(value) &&
    value.length <= MAX_ARRAY_ITEMS &&
    value.every((item) => typeof item === "string")
  ) {
    return value.map((item: string) => redactEnvListWith(item, walk.compiled));
  }
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return redactAny(value, walk, depth);
  }
  const result: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    let item: unknown;
    try {
      item = (value as Record<string, unknown>)[name];
    } catch {
      defineEntry(result, name, UNREADABLE);
      continue;
    }
    const hidden = classifyEnvKeyWith(name, walk.compiled) !== "plain" && !carriesNoSecret(item);
    defineEntry(result, name, hidden ? walk.compiled.replacement : redactAny(item, walk, depth));
  }
  return result;
}

function describeBinary(value: ArrayBuffer | ArrayBufferView): string {
  const kind = Object.prototype.toString.call(value).slice(8, -1);
  return `[${kind} ${value.byteLength} bytes]`;
}

function redactError(error: Error, walk: Walk, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  defineEntry(result, "name", redactAny(error.name, walk, depth));
  defineEntry(result, "message", redactAny(error.message, walk, depth));
  if (typeof error.stack === "string")
    defineEntry(result, "stack", redactTextWith(error.stack, walk.compiled));
  if ("cause" in error) defineEntry(result, "cause", redactAny(error.cause, walk, depth));
  copyOwnEntries(error, result, walk, depth);
  return result;
}

function copyOwnEntries(source: object, target: Record<string, unknown>, walk: Walk, depth: number): void {
  for (const key of Object.keys(source)) {
    let value: unknown;
    try {
      value = (source as Record<string, unknown>)[key];
    } catch {
      defineEntry(target, key, UNREADABLE);
      continue;
    }
    defineEntry(target, key, redactUnderName(key, value, walk, depth));
  }
}

function redactArray(array: readonly unknown[], walk: Walk, depth: number): unknown[] {
  // A sparse `new Array(1e9)` or a Proxy lying about its length must not stall the log path.
  const length = Math.min(array.length, MAX_ARRAY_ITEMS);
  const result: unknown[] = [];
  for (let index = 0; index < length; index++) {
    let item: unknown;
    try {
      item = array[index];
    } catch {
      result.push(UNREADABLE);
      continue;
    }
    result.push(redactAny(item, walk, depth));
  }
  if (array.length > length) result.push(`[+${array.length - length} more]`);
  return result;
}

function redactObject(value: object, walk: Walk, depth: number): unknown {
  if (Array.isArray(value)) {
    const pairName = value.length === 2 && typeof value[0] === "string" ? value[0] : undefined;
    // A [name, value] tuple (header pairs, form entries): the name decides about the value.
    if (pairName !== undefined) return [value[0], redactUnderName(pairName, value[1], walk, depth)];
    return redactArray(value, walk, depth);
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof String) return redactTextWith(value.valueOf(), walk.compiled);
  if (value instanceof Number || value instanceof Boolean) return value.valueOf();
  if (value instanceof URL) return redactTextWith(value.href, walk.compiled);
  if (value instanceof URLSearchParams) return redactTextWith(`?${value.toString()}`, walk.compiled).slice(1);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return describeBinary(value);
  if (value instanceof Map) {
    const result = new Map<unknown, unknown>();
    for (const [key, item] of value) {
      const redactedKey = redactAny(key, walk, depth);
      result.set(
        redactedKey,
        typeof key === "string" ? redactUnderName(key, item, walk, depth) : redactAny(item, walk, depth),
      );
    }
    return result;
  }
  if (value instanceof Set) return new Set(Array.from(value, (item) => redactAny(item, walk, depth)));
  if (value instanceof Error) return redactError(value, walk, depth);
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    // What JSON.stringify would write is what must be redacted.
    return redactAny(toJSON.call(value), walk, depth);
  }
  const result: Record<string, unknown> = {};
  copyOwnEntries(value, result, walk, depth);
  return result;
}

function redactAny(value: unknown, walk: Walk, depth: number): unknown {
  switch (typeof value) {
    case "string":
      return redactTextWith(value, walk.compiled);
    case "function":
      return "[Function]";
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (walk.ancestors.has(value)) return CIRCULAR;
  if (depth >= MAX_REDACTION_DEPTH) return MAX_DEPTH;
  walk.ancestors.add(value);
  try {
    return redactObject(value, walk, depth + 1);
  } catch {
    return UNREADABLE;
  } finally {
    walk.ancestors.delete(value);
  }
}

/**
 * Returns a redacted deep copy of any value; the input is never mutated. Object keys, Map keys and
 * `[name, value]` tuples with a sensitive name (see {@link isSensitiveName}) have their value replaced
 * (`null`, `undefined`, booleans and `""` are kept); a value under a name ending in the segment `env`
 * (`env`, `form.env`, `appEnv`) is an app environment, redacted as by {@link redactEnvList} (string or
 * string array) or {@link classifyEnvKey} (object); other strings are scanned as by {@link redactString}.
 * Cycles become `"[Circular]"`, nesting deeper than 32 becomes `"[MaxDepth]"`, arrays
 * longer than 100 000 items are cut with a final `"[+N more]"`, anything that throws while
 * being read becomes `"[Unreadable]"`, binary data becomes `"[Uint8Array 12 bytes]"`, functions
 * `"[Function]"`, `URL`s their redacted href, `Error`s plain `{ name, message, stack, … }` objects, class
 * instances plain objects of their own enumerable properties (or their redacted `toJSON()`). Never throws.
 * @example redact({ user: "ana", password: "hunter2" }) // { user: "ana", password: "[REDACTED]" }
 */
export function redact(value: unknown, rules?: RedactionRules): unknown {
  const compiled = compileRules(rules);
  return redactAny(value, { compiled, ancestors: new Set() }, 0);
}
