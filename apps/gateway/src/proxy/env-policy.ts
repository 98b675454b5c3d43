/**
 * Env values and secrets (CONVOX-API.md "Env values and secrets"): masking release JSON on its way out, and
 * merging a submitted env list with the current one on its way in (a masked value means "keep").
 */
import type { AuthorizeDecision } from "@rack-gateway/rbac";
import { classifyEnvKey, type EnvKeyClass, MASK, type RedactionRules } from "@rack-gateway/redaction";
import { GatewayError } from "../http/errors.js";

/** How much of an app's env a principal may see. */
export type EnvVisibility = "masked" | "plain-values" | "secrets-revealed";

export type EnvEntries = Array<[key: string, value: string]>;

/**
 * Go's `unicode.IsSpace`, which `strings.TrimSpace` trims: ASCII whitespace, U+0085, U+00A0 and the Unicode
 * White_Space spaces. (JavaScript's `trim` differs: it also trims U+FEFF and not U+0085.)
 */
const GO_SPACE = "\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
export const GO_TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, "g");

/**
 * Parses an env list exactly as the rack does (`structs.Environment.Load`): lines split on `\n` with one trailing
 * `\r` dropped, the key is what precedes the first `=` with surrounding whitespace trimmed, the value is kept as
 * is, and a later line wins. Keys must be read the rack's way, or ` DATABASE_URL=…` would pass the policy as a new
 * plain key and then overwrite the protected one at the rack.
 */
export function parseEnvList(text: string): EnvEntries {
  const entries: EnvEntries = [];
  for (const line of text.split("\n")) {
    const trimmed = line.replace(/\r$/, "");
    if (trimmed.replace(GO_TRIM_SPACE, "") === "") continue;
    const separator = trimmed.indexOf("=");
    const key = separator < 0 ? "" : trimmed.slice(0, separator).replace(GO_TRIM_SPACE, "");
    if (key === "") {
      throw new GatewayError(400, "BAD_REQUEST", "env must be a list of KEY=VALUE lines");
    }
    entries.push([key, trimmed.slice(separator + 1)]);
  }
  return entries;
}

export function formatEnvList(entries: EnvEntries): string {
  return entries.map(([key, value]) => `${key}=${value}`).join("\n");
}

export function maskEnvList(text: string, visibility: EnvVisibility, rules: RedactionRules): string {
  return text
    .split("\n")
    .map((line) => {
      const separator = line.indexOf("=");
      if (separator <= 0) return line;
      const key = line.slice(0, separator);
      // Classified by the key the rack means (see parseEnvList), whatever spacing this document carries.
      const kind = classifyEnvKey(key.replace(GO_TRIM_SPACE, ""), rules);
      const visible =
        visibility === "secrets-revealed"
          ? kind !== "protected"
          : visibility === "plain-values" && kind === "plain";
      return visible ? line : `${key}=${MASK}`;
    })
    .join("\n");
}

/** Masks the `env` of a Release object or of each Release in a list; anything else passes unchanged. */
export function maskReleasesJson(
  document: unknown,
  visibility: EnvVisibility,
  rules: RedactionRules,
): unknown {
  const maskOne = (release: unknown): unknown => {
    if (release === null || typeof release !== "object" || Array.isArray(release)) return release;
    const env = (release as Record<string, unknown>).env;
    if (typeof env !== "string") return release;
    return { ...(release as Record<string, unknown>), env: maskEnvList(env, visibility, rules) };
  };
  return Array.isArray(document) ? document.map(maskOne) : maskOne(document);
}

export interface EnvChange {
  readonly key: string;
  readonly kind: "added" | "changed" | "removed";
  readonly classification: "protected" | "secret" | "plain";
  /** The new value (absent for removals). Callers redact it for secret keys before auditing. */
  readonly value?: string;
}

/**
 * Merges a submitted whole-env list with the current env: a masked value keeps the current value; keys absent
 * from the submission are removed (that is how `convox env unset` works). Throws a 400 for a masked value on a
 * key that does not exist (the mask is never a real value).
 */
export function mergeEnv(
  current: EnvEntries,
  submitted: EnvEntries,
  rules: RedactionRules,
): { merged: EnvEntries; changes: EnvChange[] } {
  const currentMap = new Map(current);
  const submittedMap = new Map<string, string>();
  for (const [key, value] of submitted) {
    if (value === MASK) {
      const kept = currentMap.get(key);
      if (kept === undefined) {
        throw new GatewayError(
          400,
          "BAD_REQUEST",
          `${key} has the masked value ${MASK} but no current value to keep`,
        );
      }
      submittedMap.set(key, kept);
    } else {
      submittedMap.set(key, value);
    }
  }
  const changes: EnvChange[] = [];
  for (const [key, value] of submittedMap) {
    const before = currentMap.get(key);
    if (before === value) continue;
    changes.push({
      key,
      kind: before === undefined ? "added" : "changed",
      classification: classifyEnvKey(key, rules),
      value,
    });
  }
  for (const key of currentMap.keys()) {
    if (!submittedMap.has(key))
      changes.push({ key, kind: "removed", classification: classifyEnvKey(key, rules) });
  }
  return { merged: [...submittedMap], changes };
}

export interface EnvChangeRefusal {
  readonly error: GatewayError;
  /** Why, for the audit log. */
  readonly reason: string;
}

/**
 * Who may change these env keys, wherever the change comes from (a release's env, a run's Environment header): a
 * protected key never (403 PROTECTED_ENV_VAR); any change needs convox:env:set, and a secret key convox:secret:set.
 * `may` decides one permission for the caller; `what` names the change in the message ("the Environment header…").
 */
export function envChangeRefusal(
  keys: ReadonlyArray<{ readonly key: string; readonly classification: EnvKeyClass }>,
  may: (permission: "convox:env:set" | "convox:secret:set") => AuthorizeDecision,
  what: string,
): EnvChangeRefusal | null {
  const protectedKey = keys.find((entry) => entry.classification === "protected");
  if (protectedKey) {
    const reason = `${what} sets ${protectedKey.key}, which is protected and cannot be changed through the gateway`;
    return { error: new GatewayError(403, "PROTECTED_ENV_VAR", reason), reason };
  }
  const refuse = (decision: AuthorizeDecision, needs: string): EnvChangeRefusal | null => {
    if (decision.allowed) return null;
    const reason = `${needs}: ${decision.reason}`;
    return { error: new GatewayError(403, "FORBIDDEN", `forbidden: ${reason}`), reason };
  };
  const envSet = refuse(may("convox:env:set"), `${what} needs convox:env:set`);
  if (envSet) return envSet;
  const secretKey = keys.find((entry) => entry.classification === "secret");
  if (!secretKey) return null;
  return refuse(
    may("convox:secret:set"),
    `${what} sets secret ${secretKey.key}, which needs convox:secret:set`,
  );
}
