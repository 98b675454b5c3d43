// Free text and URLs: value patterns in place, URL userinfo and query parameters by name.
import { replaceAssignments } from "./assignments.js";
import { isSensitiveNameWith } from "./classify-name.js";
import { replaceCommandLineCredentials } from "./command-line.js";
import { redactPairList } from "./pair-list.js";
import { type CompiledRules, compileRules, type RedactionRules } from "./rules.js";
import {
  replaceAuthSchemes,
  replacePemBlocks,
  replaceTokenPatterns,
  replaceUrlPatterns,
} from "./value-patterns.js";

// A URL inside a decoded query value inside a URL…: past this nesting, parts are only scanned as text.
const MAX_URL_NESTING = 4;

const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const EMBEDDED_URL = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s"'<>`]+/g;
const SENSITIVE_ASSIGNMENT_TAIL =
  /(?<![\w.-])([\w.-]+)(?:\\{0,8}["'])?[ \t]{0,16}[:=][ \t]{0,16}(?:\\{0,8}["'])?$/;
// RFC 3986 Appendix B, applied only to text without whitespace.
const URL_PARTS = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
const WHITESPACE = /\s/;

function isUrlReference(text: string): boolean {
  if (WHITESPACE.test(text)) return false;
  if (ABSOLUTE_URL.test(text)) return true;
  return (text.startsWith("/") || text.startsWith("?")) && /[?#]/.test(text);
}

function scanPlain(text: string, compiled: CompiledRules): string {
  if (text === "") return text;
  const { replacement } = compiled;
  const isSensitive = (name: string) => isSensitiveNameWith(name, compiled);
  let result = replaceAssignments(text, replacement, isSensitive);
  result = replaceCommandLineCredentials(result, replacement, isSensitive);
  result = replaceAuthSchemes(result, replacement);
  return replaceTokenPatterns(result, replacement);
}

function endsWithSensitiveAssignment(text: string, compiled: CompiledRules): boolean {
  const tail = SENSITIVE_ASSIGNMENT_TAIL.exec(text.slice(-300));
  return tail !== null && isSensitiveNameWith(tail[1] ?? "", compiled);
}

function scanFreeText(text: string, compiled: CompiledRules, nesting: number): string {
  const withoutKeys = replacePemBlocks(text, compiled.replacement);
  if (nesting >= MAX_URL_NESTING || !withoutKeys.includes("://")) return scanPlain(withoutKeys, compiled);
  let result = "";
  let cursor = 0;
  for (const match of withoutKeys.matchAll(EMBEDDED_URL)) {
    const before = withoutKeys.slice(cursor, match.index);
    result += scanPlain(before, compiled);
    // "dsn=https://key@host/1": the name says the whole URL is the secret.
    result += endsWithSensitiveAssignment(before, compiled)
      ? compiled.replacement
      : redactUrlWith(match[0], compiled, nesting + 1);
    cursor = match.index + match[0].length;
  }
  return result + scanPlain(withoutKeys.slice(cursor), compiled);
}

export function redactTextWith(text: string, compiled: CompiledRules, nesting = 0): string {
  if (text === "") return text;
  if (nesting < MAX_URL_NESTING && isUrlReference(text)) return redactUrlWith(text, compiled, nesting);
  return scanFreeText(text, compiled, nesting);
}

function redactAuthority(authority: string, compiled: CompiledRules, nesting: number): string {
  const at = authority.lastIndexOf("@");
  if (at === -1) return authority;
  const userinfo = authority.slice(0, at);
  const host = authority.slice(at);
  const colon = userinfo.indexOf(":");
  if (colon === -1) return scanFreeText(userinfo, compiled, nesting) + host;
  const user = scanFreeText(userinfo.slice(0, colon), compiled, nesting);
  const password = colon === userinfo.length - 1 ? "" : compiled.replacement;
  return `${user}:${password}${host}`;
}

/** A query value's "+" may mean a space (HTML forms): a credential found either way is redacted. */
function redactQueryValue(value: string, compiled: CompiledRules, nesting: number): string {
  const redacted = redactTextWith(value, compiled, nesting);
  if (redacted !== value || !value.includes("+")) return redacted;
  const spaced = value.replaceAll("+", " ");
  const redactedSpaced = redactTextWith(spaced, compiled, nesting);
  return redactedSpaced === spaced ? value : redactedSpaced;
}

function redactPairs(list: string, compiled: CompiledRules, nesting: number): string {
  return redactPairList(list, {
    plusIsSpace: false,
    replacement: compiled.replacement,
    isSensitive: (name) => isSensitiveNameWith(name, compiled),
    redactValue: (_name, value) => redactQueryValue(value, compiled, nesting + 1),
    scanRaw: (raw) => scanFreeText(raw, compiled, nesting + 1),
  });
}

export function redactUrlWith(url: string, compiled: CompiledRules, nesting = 0): string {
  const parts = WHITESPACE.test(url) ? null : URL_PARTS.exec(url);
  if (parts === null) return scanFreeText(url, compiled, nesting);
  const [, scheme, authority, path = "", query, fragment] = parts;
  let result = scheme === undefined ? "" : `${scheme}:`;
  if (authority !== undefined) result += `//${redactAuthority(authority, compiled, nesting)}`;
  result += scanFreeText(path, compiled, nesting + 1);
  if (query !== undefined) result += `?${redactPairs(query, compiled, nesting)}`;
  if (fragment !== undefined) {
    // OAuth implicit and hybrid flows put tokens in the fragment ("#access_token=…").
    result += `#${fragment.includes("=") ? redactPairs(fragment, compiled, nesting) : scanFreeText(fragment, compiled, nesting + 1)}`;
  }
  return replaceUrlPatterns(result, compiled.replacement);
}

/**
 * Replaces credentials inside free text and keeps the rest: private-key PEM blocks, `Bearer`/`Basic`/`Token`
 * credentials, known token formats (JWT, rgw_, AWS, GitHub, Slack, Stripe, Google, npm), the value after a
 * sensitive name (`password=…`, `"token": "…"`, `Authorization: …`), command-line credentials (`--password x`,
 * `-u user:pass`, mysql's `-pX`), and URL passwords and sensitive query parameters. A whole string that is a URL is handled like {@link redactUrl}. Never throws on a string.
 * @example redactString("retry with token=abc123 in 5s") // "retry with token=[REDACTED] in 5s"
 */
export function redactString(text: string, rules?: RedactionRules): string {
  const compiled = compileRules(rules);
  if (typeof text !== "string")
    throw new TypeError("redactString(text) takes a string; use redact() for any value.");
  return redactTextWith(text, compiled);
}

/**
 * Redacts a URL or URL reference (absolute, protocol-relative or relative) and keeps every other byte: the
 * userinfo password, query and fragment parameters with a sensitive (percent-decoded) name, and credentials
 * found in the path or in decoded parameter values. Text that is not a URL is returned scanned as by
 * {@link redactString}.
 * @example redactUrl("postgres://app:hunter2@[::1]:5432/db?sslmode=require")
 * // "postgres://app:[REDACTED]@[::1]:5432/db?sslmode=require"
 */
export function redactUrl(url: string, rules?: RedactionRules): string {
  const compiled = compileRules(rules);
  if (typeof url !== "string") throw new TypeError("redactUrl(url) takes a string; pass url.href for a URL.");
  return redactUrlWith(url, compiled);
}
