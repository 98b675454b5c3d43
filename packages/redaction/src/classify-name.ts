// Name tests shared by object keys, headers, query and form fields, and env variable names.
import { matchesDefaultTerms, matchesPatterns, mayMatch } from "./name-rules.js";
import { segmentName } from "./name-segments.js";
import { type CompiledRules, compileRules, type RedactionRules } from "./rules.js";

/** How the gateway treats an env variable: masked always, masked unless revealed, or shown. */
export type EnvKeyClass = "protected" | "secret" | "plain";

export function isSensitiveNameWith(name: string, compiled: CompiledRules): boolean {
  if (!mayMatch(name, compiled.namePatterns)) return false;
  const segmented = segmentName(name);
  return matchesDefaultTerms(segmented) || matchesPatterns(name, segmented, compiled.namePatterns);
}

export function classifyEnvKeyWith(name: string, compiled: CompiledRules): EnvKeyClass {
  if (compiled.protectedEnvVars.has(name)) return "protected";
  if (isSensitiveNameWith(name, compiled)) return "secret";
  if (!mayMatch(name, compiled.envPatterns)) return "plain";
  return matchesPatterns(name, segmentName(name), compiled.envPatterns) ? "secret" : "plain";
}

function requireName(name: unknown, functionName: string): asserts name is string {
  if (typeof name !== "string") throw new TypeError(`${functionName}(name) takes a string name.`);
}

/**
 * True when a field, header, query parameter or env name marks its value as secret: a default term
 * (see {@link DEFAULT_SENSITIVE_NAME_TERMS}) or a configured pattern matches. Case-insensitive.
 * @example isSensitiveName("X-Api-Key") // true; isSensitiveName("monkey") // false
 */
export function isSensitiveName(name: string, rules?: RedactionRules): boolean {
  requireName(name, "isSensitiveName");
  return isSensitiveNameWith(name, compileRules(rules));
}

/**
 * Classifies an env variable name: `"protected"` when listed in `protectedEnvVars` (exact, case-sensitive),
 * `"secret"` when {@link isSensitiveName} holds or a `secretEnvPatterns` entry matches, else `"plain"`.
 * @example classifyEnvKey("SECRET_KEY_BASE") // "secret"; classifyEnvKey("KEYBOARD_LAYOUT") // "plain"
 */
export function classifyEnvKey(name: string, rules?: RedactionRules): EnvKeyClass {
  requireName(name, "classifyEnvKey");
  return classifyEnvKeyWith(name, compileRules(rules));
}
