/**
 * The rack's own password must never reach a client: with it, anyone can skip the gateway (no authorization, no
 * audit). Routes that would answer with it are refused by policy (external builds, `POST /system/jwt/token`), but a
 * rack can echo its credentials in places no policy foresaw (a build's repository URL, an error message, a log
 * line). So every proxied answer passes through a scrubber that overwrites the password, in each spelling the rack
 * or a client would use, with `*` of the same length: the answer keeps its length (Content-Length stays right) and
 * loses the secret.
 */
import { Transform, type TransformCallback } from "node:stream";

/** Shorter strings would match ordinary text; a real rack password is a long random string. */
const MIN_SCRUBBED_LENGTH = 8;
const STAR = 0x2a;

/** The spellings of the rack's password worth looking for: as is, URL-escaped, and inside Basic credentials. */
export function rackCredentialPatterns(password: string): Buffer[] {
  if (password.length < MIN_SCRUBBED_LENGTH) return [];
  const spellings = [
    password,
    encodeURIComponent(password),
    Buffer.from(`convox:${encodeURIComponent(password)}`).toString("base64"),
    Buffer.from(`convox:${password}`).toString("base64"),
  ];
  return [...new Set(spellings)].map((spelling) => Buffer.from(spelling, "utf8"));
}

/** Overwrites every occurrence of the patterns in `data` in place; returns how many it overwrote. */
export function scrubInPlace(data: Buffer, patterns: readonly Buffer[]): number {
  let found = 0;
  for (const pattern of patterns) {
    for (let at = data.indexOf(pattern); at >= 0; at = data.indexOf(pattern, at + pattern.length)) {
      data.fill(STAR, at, at + pattern.length);
      found++;
    }
  }
  return found;
}

/**
 * A stream that scrubs what flows through it. It holds back the last (longest pattern − 1) bytes of each chunk, so
 * a password split across chunks is still found; the held bytes follow with the next chunk or at the end.
 */
export function createCredentialScrubber(
  patterns: readonly Buffer[],
  onFound: (occurrences: number) => void,
): Transform {
  const holdBack = Math.max(0, ...patterns.map((pattern) => pattern.length - 1));
  let carry: Buffer = Buffer.alloc(0);
  const scrub = (data: Buffer) => {
    const found = scrubInPlace(data, patterns);
    if (found > 0) onFound(found);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      // The chunk is this stream's own (a fresh read from the rack's socket), so it is overwritten in place.
      const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      scrub(data);
      const release = Math.max(0, data.length - holdBack);
      carry = data.subarray(release);
      callback(null, release > 0 ? data.subarray(0, release) : undefined);
    },
    flush(callback: TransformCallback) {
      // Already scrubbed: whole occurrences in the carry were overwritten when it arrived.
      callback(null, carry.length > 0 ? carry : undefined);
    },
  });
}
