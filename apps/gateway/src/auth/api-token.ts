/**
 * Token format shared by API tokens (`rgw_`) and session tokens (`rgws_`): the prefix + 43 base62 characters of
 * randomness (256 bits) + a 6-character base62 CRC-32 checksum of the random part. The fixed prefix and checksum
 * let secret scanners find leaked tokens with no false positives, and let the gateway reject a mistyped token
 * without a database lookup. Only the SHA-256 of a token is stored.
 */
import { hash } from "node:crypto";

export const API_TOKEN_PREFIX = "rgw_";
export const SESSION_TOKEN_PREFIX = "rgws_";
const RANDOM_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
type TokenPrefix = typeof API_TOKEN_PREFIX | typeof SESSION_TOKEN_PREFIX;
const patternFor = (prefix: TokenPrefix) =>
  new RegExp(`^${prefix}([0-9A-Za-z]{${RANDOM_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`);
const PATTERNS: Record<TokenPrefix, RegExp> = {
  [API_TOKEN_PREFIX]: patternFor(API_TOKEN_PREFIX),
  [SESSION_TOKEN_PREFIX]: patternFor(SESSION_TOKEN_PREFIX),
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "ascii")) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function toBase62(value: number, length: number): string {
  let out = "";
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function createToken(prefix: TokenPrefix, random: (byteCount: number) => Uint8Array): string {
  // Rejection sampling keeps every base62 character uniform (256 is not a multiple of 62).
  let body = "";
  while (body.length < RANDOM_LENGTH) {
    for (const byte of random(64)) {
      if (byte < 248 && body.length < RANDOM_LENGTH) body += BASE62[byte % 62];
    }
  }
  return `${prefix}${body}${toBase62(crc32(body), CHECKSUM_LENGTH)}`;
}

function isWellFormed(prefix: TokenPrefix, text: string): boolean {
  const match = PATTERNS[prefix].exec(text);
  return match !== null && toBase62(crc32(match[1]!), CHECKSUM_LENGTH) === match[2];
}

/** Creates a new API token from `random` (inject crypto.randomBytes in production, a seeded source in tests). */
export function createApiToken(random: (byteCount: number) => Uint8Array): string {
  return createToken(API_TOKEN_PREFIX, random);
}

/** Creates a new session token (web cookie value or CLI credential). */
export function createSessionToken(random: (byteCount: number) => Uint8Array): string {
  return createToken(SESSION_TOKEN_PREFIX, random);
}

/** True when `text` has the API token shape and a valid checksum. Says nothing about whether it exists. */
export function isWellFormedApiToken(text: string): boolean {
  return isWellFormed(API_TOKEN_PREFIX, text);
}

/** True when `text` has the session token shape and a valid checksum. */
export function isWellFormedSessionToken(text: string): boolean {
  return isWellFormed(SESSION_TOKEN_PREFIX, text);
}

/**
 * The stored form of an API or session token. Tokens carry 256 bits of randomness, so a plain SHA-256
 * suffices (no KDF).
 */
export function hashApiToken(token: string): string {
  // One-shot crypto.hash: no Hash object per request (this runs on every authenticated call).
  return hash("sha256", token, "hex");
}

/** A short, safe-to-show prefix (`rgw_AbCdEf`) so people can tell tokens apart in lists and audit events. */
export function displayPrefixOf(token: string): string {
  return token.slice(0, API_TOKEN_PREFIX.length + 6);
}
