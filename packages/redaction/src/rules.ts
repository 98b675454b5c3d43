// Redaction rules: validated options, frozen, with their compiled matchers kept out of reach.
import { REDACTED } from "./markers.js";
import { compileNamePattern, type NamePattern } from "./name-rules.js";

/** Options for {@link createRedactionRules}; every list adds to the built-in defaults. */
export interface RedactionRuleOptions {
  /**
   * Extra sensitive name patterns for object keys, headers, query and form fields and env names, e.g. parsed
   * from `REDACT_PATTERNS=password,secret,token,key,credential`. A plain word matches whole name segments,
   * case-insensitively (`stripe` matches `STRIPE_KEY`, `stripeId`, not `stripes`); `/regex/flags` (flags
   * i, m, s, u) is tested on the raw name.
   */
  readonly patterns?: readonly string[];
  /** Exact env names (case-sensitive) classified `"protected"`, e.g. from `PROTECTED_ENV_VARS`. */
  readonly protectedEnvVars?: readonly string[];
  /** Extra patterns (same syntax as `patterns`) that mark env names, and only env names, as secret. */
  readonly secretEnvPatterns?: readonly string[];
  /** What a secret is replaced with. Default `"[REDACTED]"`; 1–64 characters, no line breaks. */
  readonly replacement?: string;
}

/** Frozen, validated rules. Build them with {@link createRedactionRules}; hand-made objects are refused. */
export interface RedactionRules {
  readonly replacement: string;
  readonly patterns: readonly string[];
  readonly protectedEnvVars: readonly string[];
  readonly secretEnvPatterns: readonly string[];
}

export interface CompiledRules {
  readonly replacement: string;
  readonly namePatterns: readonly NamePattern[];
  readonly envPatterns: readonly NamePattern[];
  readonly protectedEnvVars: ReadonlySet<string>;
}

const compiledByRules = new WeakMap<RedactionRules, CompiledRules>();

const ENV_NAME = /^[^\s=\0]{1,256}$/;

function readList(value: unknown, optionName: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TypeError(`${optionName} must be an array of strings (split the env value on "," first).`);
  }
  return value.map((item: unknown) => {
    if (typeof item !== "string") throw new TypeError(`${optionName} must hold strings; got ${typeof item}.`);
    return item;
  });
}

function readReplacement(value: unknown): string {
  if (value === undefined) return REDACTED;
  if (typeof value !== "string" || value.length === 0 || value.length > 64 || /[\r\n]/.test(value)) {
    throw new TypeError("replacement must be a string of 1 to 64 characters without line breaks.");
  }
  return value;
}

/**
 * Validates options and returns frozen rules that extend the built-in defaults.
 * Misuse (wrong types, an empty or padded word, an invalid or stateful regex) throws a TypeError.
 * @example
 * const rules = createRedactionRules({
 *   patterns: parseNameList(env.REDACT_PATTERNS ?? ""),
 *   protectedEnvVars: parseNameList(env.PROTECTED_ENV_VARS ?? ""),
 * });
 */
export function createRedactionRules(options: RedactionRuleOptions = {}): RedactionRules {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createRedactionRules(options) takes an options object or nothing.");
  }
  const patterns = readList(options.patterns, "patterns");
  const protectedEnvVars = readList(options.protectedEnvVars, "protectedEnvVars");
  const secretEnvPatterns = readList(options.secretEnvPatterns, "secretEnvPatterns");
  for (const name of protectedEnvVars) {
    if (!ENV_NAME.test(name)) {
      throw new TypeError(
        `protectedEnvVars: ${JSON.stringify(name)} is not an env name (1-256 characters, no "=", no whitespace).`,
      );
    }
  }
  const replacement = readReplacement(options.replacement);
  const namePatterns = patterns.map((pattern) => compileNamePattern(pattern, "patterns"));
  const envPatterns = secretEnvPatterns.map((pattern) => compileNamePattern(pattern, "secretEnvPatterns"));
  const rules: RedactionRules = Object.freeze({
    replacement,
    patterns: Object.freeze([...patterns]),
    protectedEnvVars: Object.freeze([...protectedEnvVars]),
    secretEnvPatterns: Object.freeze([...secretEnvPatterns]),
  });
  compiledByRules.set(
    rules,
    Object.freeze({
      replacement,
      namePatterns: Object.freeze(namePatterns),
      envPatterns: Object.freeze(envPatterns),
      protectedEnvVars: new Set(protectedEnvVars),
    }),
  );
  return rules;
}

/** The built-in rules: default sensitive names and value patterns, replacement `"[REDACTED]"`. */
export const DEFAULT_REDACTION_RULES: RedactionRules = createRedactionRules();

export function compileRules(rules: RedactionRules | undefined): CompiledRules {
  const compiled = compiledByRules.get(rules ?? DEFAULT_REDACTION_RULES);
  if (compiled === undefined) {
    throw new TypeError("rules must come from createRedactionRules(); hand-made rule objects are refused.");
  }
  return compiled;
}

/**
 * Splits a comma-separated env value such as `REDACT_PATTERNS` or `PROTECTED_ENV_VARS` into trimmed,
 * non-empty entries. A `/regex/` containing a comma cannot be written this way.
 * @example parseNameList(" password, secret,,token ") // → ["password", "secret", "token"]
 */
export function parseNameList(text: string): string[] {
  if (typeof text !== "string") throw new TypeError("parseNameList(text) takes a string.");
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}
