/**
 * API token format: `rgw_` + 43 base62 characters of randomness (256 bits) + a 6-character base62 CRC-32
 * checksum of the random part. The fixed prefix and checksum let secret scanners find leaked tokens with no
 * false positives, and let the gateway reject a mistyped token without a database lookup.
 * Only the SHA-256 of a token is stored.
 */
import { createHash } from "node:crypto";

export const API_TOKEN_PREFIX = "rgw_";
const RANDOM_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_PATTERN = new RegExp(
  `^${API_TOKEN_PREFIX}([0-9A-Za-z]{${RANDOM_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

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

/** Creates a new token from `random` (inject crypto.randomBytes in production, a seeded source in tests). */
export function createApiToken(random: (byteCount: number) => Uint8Array): string {
  // Rejection sampling keeps every base62 character uniform (256 is not a multiple of 62).
  let body = "";
  while (body.length < RANDOM_LENGTH) {
    for (const byte of random(64)) {
      if (byte < 248 && body.length < RANDOM_LENGTH) body += BASE62[byte % 62];
    }
  }
  return `${API_TOKEN_PREFIX}${body}${toBase62(crc32(body), CHECKSUM_LENGTH)}`;
}

/** True when `text` has the token shape and a valid checksum. Says nothing about whether it exists. */
export function isWellFormedApiToken(text: string): boolean {
  const match = TOKEN_PATTERN.exec(text);
  return match !== null && toBase62(crc32(match[1]!), CHECKSUM_LENGTH) === match[2];
}

/** The stored form of a token. Tokens carry 256 bits of randomness, so a plain SHA-256 suffices (no KDF). */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A short, safe-to-show prefix (`rgw_AbCdEf`) so people can tell tokens apart in lists and audit events. */
export function displayPrefixOf(token: string): string {
  return token.slice(0, API_TOKEN_PREFIX.length + 6);
}
