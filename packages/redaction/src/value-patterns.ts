// Credential shapes recognised inside free text. Every pattern starts only at the edge of a run of its own
// characters (negative lookbehind) and has no nested quantifiers, so a scan stays linear in the text length.

/** A credential format recognised anywhere in text; `keep` names a leading group that stays visible. */
interface TokenPattern {
  readonly regex: RegExp;
  readonly keep?: number;
}

export const TOKEN_PATTERNS: readonly TokenPattern[] = [
  // JWS / JWE compact serialisation: a base64url JSON header ("eyJ") and two to four more parts.
  { regex: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){1,3}/g },
  // Our own API tokens (rgw_) and session tokens (rgws_), with any ".totp.<code>"-style inline MFA suffix.
  { regex: /(?<![A-Za-z0-9])rgws?_[A-Za-z0-9]{20,}(?:[._-][A-Za-z0-9]+)*/g },
  // AWS access key ids (long-term AKIA, temporary ASIA).
  { regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  // GitHub personal, OAuth, user-to-server, server-to-server and refresh tokens; fine-grained PATs.
  { regex: /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g },
  // Slack bot, user, app-level and configuration tokens.
  { regex: /(?<![A-Za-z0-9])(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})/g },
  // Slack incoming-webhook paths: the host stays, the secret path goes.
  { regex: /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/g, keep: 1 },
  // Stripe secret and restricted keys.
  { regex: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g },
  // Google API keys, OAuth client secrets, access tokens and refresh tokens.
  { regex: /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g },
  { regex: /(?<![A-Za-z0-9])GOCSPX-[A-Za-z0-9_-]{20,}/g },
  { regex: /(?<![A-Za-z0-9])ya29\.[A-Za-z0-9_-]{20,}/g },
  { regex: /(?<![A-Za-z0-9/])1\/\/0[A-Za-z0-9_-]{20,}/g },
  // npm access tokens.
  { regex: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g },
];

/** Patterns that span a URL's host and path, so they must see the URL whole. */
const URL_PATTERNS: readonly TokenPattern[] = TOKEN_PATTERNS.filter(({ keep }) => keep !== undefined);

export function replaceTokenPatterns(text: string, replacement: string, patterns = TOKEN_PATTERNS): string {
  let result = text;
  for (const { regex, keep } of patterns) {
    result = result.replace(regex, (...groups: unknown[]) =>
      keep === undefined ? replacement : `${String(groups[keep])}${replacement}`,
    );
  }
  return result;
}

export function replaceUrlPatterns(url: string, replacement: string): string {
  return replaceTokenPatterns(url, replacement, URL_PATTERNS);
}

// HTTP authentication schemes followed by a token68 credential (RFC 7235 §2.1).
const AUTH_SCHEME = /(?<![A-Za-z0-9])(bearer|basic|token)([ \t]+)([A-Za-z0-9._~+/-]+=*)/gi;

/**
 * A word after "Bearer"/"Basic"/"Token" is a credential unless it reads like English: shorter than 8
 * characters, or all lowercase letters and shorter than 20 ("the bearer instrument", "basic auth").
 */
function looksLikeCredential(word: string): boolean {
  if (word.length < 8) return false;
  return word.length >= 20 || !/^[a-z]+$/.test(word);
}

export function replaceAuthSchemes(text: string, replacement: string): string {
  return text.replace(AUTH_SCHEME, (whole: string, scheme: string, space: string, credential: string) =>
    looksLikeCredential(credential) ? `${scheme}${space}${replacement}` : whole,
  );
}

const PEM_BEGIN = /-----BEGIN[A-Z0-9 ]{0,64}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END[A-Z0-9 ]{0,64}PRIVATE KEY(?: BLOCK)?-----/g;

/** Replaces each private-key block, BEGIN to END; an unterminated block is redacted to the end of text. */
export function replacePemBlocks(text: string, replacement: string): string {
  if (!text.includes("-----BEGIN")) return text;
  let result = "";
  let cursor = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let begin = PEM_BEGIN.exec(text); begin !== null; begin = PEM_BEGIN.exec(text)) {
    result += text.slice(cursor, begin.index) + replacement;
    PEM_END.lastIndex = begin.index + begin[0].length;
    const end = PEM_END.exec(text);
    if (end === null) {
      cursor = text.length;
      break;
    }
    cursor = end.index + end[0].length;
    PEM_BEGIN.lastIndex = cursor;
  }
  PEM_BEGIN.lastIndex = 0;
  PEM_END.lastIndex = 0;
  return result + text.slice(cursor);
}
