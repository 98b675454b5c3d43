// The default name terms and the compiled form of configured name patterns.
import { hasSegmentRun, hasTrailingRun, type SegmentedName, segmentName } from "./name-segments.js";

/** How a default term is compared with a name's lowercase word segments (see README "Name matching"). */
export interface SensitiveNameTerms {
  /** Matches anywhere in the name with separators removed: `db_password`, `XAuthToken`, `tokenizer`. */
  readonly contains: readonly string[];
  /** Matches one or more whole consecutive segments: `key` in `API_KEY`, `apiKey`, `KEY_ID`; not `MONKEY`. */
  readonly segments: readonly string[];
  /** Matches the last whole segment(s): `session` in `user_session`, `session_id`; not `session_timeout`. */
  readonly trailing: readonly string[];
}

/**
 * The built-in sensitive name terms; configured patterns add to them, never replace them.
 * Terms are lowercase and written without separators (`codeverifier` matches `code_verifier`).
 */
export const DEFAULT_SENSITIVE_NAME_TERMS: SensitiveNameTerms = Object.freeze({
  contains: Object.freeze([
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "authorization",
    "apikey",
    "accesskey",
    "privatekey",
    "webhook",
  ]),
  segments: Object.freeze([
    "key",
    "otp",
    "totp",
    "dsn",
    "jwt",
    "codeverifier",
    "mfacode",
    "backupcode",
    "backupcodes",
    "recoverycode",
    "recoverycodes",
  ]),
  trailing: Object.freeze([
    "auth",
    "pass",
    "pwd",
    "private",
    "cookie",
    "cookies",
    "session",
    "sessionid",
    "sid",
    "signature",
    "sig",
  ]),
});

/** A compiled configured pattern: a plain word (whole segments) or a `/regex/flags` tested on the raw name. */
export type NamePattern =
  | { readonly kind: "word"; readonly term: string }
  | { readonly kind: "regex"; readonly regex: RegExp };

const WORD = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const REGEX_FORM = /^\/([\s\S]+)\/([a-z]*)$/;
const ALLOWED_FLAGS = /^[imsu]*$/;

export function compileNamePattern(pattern: unknown, optionName: string): NamePattern {
  if (typeof pattern !== "string") {
    throw new TypeError(`${optionName} must hold strings; got ${typeof pattern}.`);
  }
  const regexForm = REGEX_FORM.exec(pattern);
  if (regexForm !== null) {
    const [, source = "", flags = ""] = regexForm;
    if (!ALLOWED_FLAGS.test(flags)) {
      throw new TypeError(
        `${optionName}: ${JSON.stringify(pattern)} uses flags "${flags}"; only i, m, s and u are allowed ` +
          "(g and y make a regex stateful).",
      );
    }
    try {
      return { kind: "regex", regex: new RegExp(source, flags) };
    } catch (cause) {
      throw new TypeError(`${optionName}: ${JSON.stringify(pattern)} is not a valid regular expression.`, {
        cause,
      });
    }
  }
  if (!WORD.test(pattern)) {
    throw new TypeError(
      `${optionName}: ${JSON.stringify(pattern)} is not a name pattern; use a word of letters, digits, "_", ` +
        '"-" or "." (at most 64 characters, trimmed, e.g. "stripe") or a "/regex/flags" string.',
    );
  }
  const term = segmentName(pattern).compact;
  return { kind: "word", term };
}

const ALL_DEFAULT_TERMS: readonly string[] = [
  ...DEFAULT_SENSITIVE_NAME_TERMS.contains,
  ...DEFAULT_SENSITIVE_NAME_TERMS.segments,
  ...DEFAULT_SENSITIVE_NAME_TERMS.trailing,
];
// Every ASCII character that is not a letter or digit.
const NOT_NAME_CHARACTER = /[^A-Za-z0-9\u0080-\uffff]/g;

/**
 * Cheap pre-check: every default term and every word pattern is a substring of the lowercased name without
 * separators, so a name containing none of them is plain unless a regex pattern says otherwise.
 */
export function mayMatch(raw: string, patterns: readonly NamePattern[]): boolean {
  const compact = raw.replace(NOT_NAME_CHARACTER, "").toLowerCase();
  return (
    ALL_DEFAULT_TERMS.some((term) => compact.includes(term)) ||
    patterns.some((pattern) => pattern.kind === "regex" || compact.includes(pattern.term))
  );
}

export function matchesDefaultTerms(name: SegmentedName): boolean {
  const terms = DEFAULT_SENSITIVE_NAME_TERMS;
  return (
    terms.contains.some((term) => name.compact.includes(term)) ||
    terms.segments.some((term) => hasSegmentRun(name, term)) ||
    terms.trailing.some((term) => hasTrailingRun(name, term))
  );
}

export function matchesPatterns(raw: string, name: SegmentedName, patterns: readonly NamePattern[]): boolean {
  return patterns.some((pattern) =>
    pattern.kind === "word" ? hasSegmentRun(name, pattern.term) : pattern.regex.test(raw),
  );
}
