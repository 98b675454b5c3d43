// KEY=VALUE env lists (the Convox `env` form field, .env text) and env maps.
import { classifyEnvKeyWith } from "./classify-name.js";
import { UNREADABLE } from "./markers.js";
import { redactTextWith } from "./redact-text.js";
import { type CompiledRules, compileRules, type RedactionRules } from "./rules.js";
import { replacePemBlocks } from "./value-patterns.js";

function readAsString(env: Readonly<Record<string, unknown>>, name: string): string {
  try {
    const raw = env[name];
    return typeof raw === "string" ? raw : String(raw);
  } catch {
    return UNREADABLE;
  }
}

const LINE = /([^\r\n]*)(\r\n|\r|\n|$)/g;
const EXPORT_PREFIX = /^(\s*export\s+)/;

function redactEnvLine(line: string, compiled: CompiledRules): string {
  const equals = line.indexOf("=");
  if (line.trimStart().startsWith("#") || equals === -1) return redactTextWith(line, compiled);
  const head = line.slice(0, equals);
  const name = head.replace(EXPORT_PREFIX, "").trim();
  const value = line.slice(equals + 1);
  if (classifyEnvKeyWith(name, compiled) === "plain") {
    return `${head}=${redactTextWith(value, compiled)}`;
  }
  // An empty value stays empty: it holds no secret and shows the secret being cleared.
  return value.trim() === "" ? line : `${head}=${compiled.replacement}`;
}

export function redactEnvListWith(text: string, compiled: CompiledRules): string {
  // A private key pasted across lines would otherwise leave its base64 lines ("MIIE…==") behind.
  const withoutKeys = replacePemBlocks(text, compiled.replacement);
  let result = "";
  for (const [, line = "", ending = ""] of withoutKeys.matchAll(LINE)) {
    result += redactEnvLine(line, compiled) + ending;
    if (ending === "") break;
  }
  return result;
}

/**
 * Redacts a newline-separated `KEY=VALUE` list, such as the Convox `env` form field or a `.env` file:
 * values of protected and secret keys (see {@link classifyEnvKey}) are replaced, other values are scanned as
 * by {@link redactString}. Keeps line order, line endings, `export ` prefixes, empty values and comments
 * (comments and lines without `=` are scanned too).
 * @example redactEnvList("PORT=3000\nAPI_KEY=abc") // "PORT=3000\nAPI_KEY=[REDACTED]"
 */
export function redactEnvList(text: string, rules?: RedactionRules): string {
  const compiled = compileRules(rules);
  if (typeof text !== "string") throw new TypeError("redactEnvList(text) takes a string of KEY=VALUE lines.");
  return redactEnvListWith(text, compiled);
}

/**
 * Returns a new env map whose protected and secret values are replaced (empty values stay empty) and whose
 * plain values are scanned as by {@link redactString}. Non-string values become their scanned `String()`;
 * unreadable ones `"[Unreadable]"`.
 * @example redactEnvMap({ PORT: "3000", RACK_TOKEN: "t0k" }) // { PORT: "3000", RACK_TOKEN: "[REDACTED]" }
 */
export function redactEnvMap(
  env: Readonly<Record<string, string>>,
  rules?: RedactionRules,
): Record<string, string> {
  const compiled = compileRules(rules);
  if (typeof env !== "object" || env === null)
    throw new TypeError("redactEnvMap(env) takes an object of strings.");
  const result: Record<string, string> = {};
  for (const name of Object.keys(env)) {
    const value = readAsString(env, name);
    const redacted =
      classifyEnvKeyWith(name, compiled) === "plain" || value === ""
        ? redactTextWith(value, compiled)
        : compiled.replacement;
    // defineProperty: a "__proto__" key must stay a key, not become the prototype.
    Object.defineProperty(result, name, {
      value: redacted,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}
