// Threat: a guessable or biased API token, or a mistyped one that reaches the database and its rate limit.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  API_TOKEN_PREFIX,
  createApiToken,
  displayPrefixOf,
  hashApiToken,
  isWellFormedApiToken,
} from "../src/auth/api-token.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const cryptoRandom = (count: number) => new Uint8Array(randomBytes(count));

/** A random source that returns the given chunks in turn (each call must ask for what a chunk holds). */
function scripted(...chunks: number[][]): (count: number) => Uint8Array {
  let call = 0;
  return (count) => {
    const chunk = chunks[call++];
    if (!chunk) throw new Error(`random source exhausted after ${call - 1} calls`);
    const bytes = new Uint8Array(count);
    bytes.set(chunk.slice(0, count));
    return bytes;
  };
}
const counting = () => scripted(Array.from({ length: 64 }, (_, index) => index));

// Known answer, computed independently (Python: zlib.crc32, hashlib.sha256).
const KNOWN_TOKEN = "rgw_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg37cCQ0";
const KNOWN_SHA256 = "4d0b701e4c662cc62c70a5e92d2329198b0f77431624a47f5d5624baf19d91a5";

describe("API token format", () => {
  it("is rgw_ + 43 base62 characters of randomness + a 6-character base62 checksum", () => {
    for (let index = 0; index < 50; index++) {
      const token = createApiToken(cryptoRandom);
      expect(token).toMatch(/^rgw_[0-9A-Za-z]{49}$/);
      expect(token).toHaveLength(53);
      expect(token.startsWith(API_TOKEN_PREFIX)).toBe(true);
      expect(isWellFormedApiToken(token)).toBe(true);
    }
  });

  it("matches a known answer: bytes map to base62 in order, and the checksum is base62 CRC-32 of the body", () => {
    expect(createApiToken(counting())).toBe(KNOWN_TOKEN);
    expect(isWellFormedApiToken(KNOWN_TOKEN)).toBe(true);
  });

  it("hashes to the hex SHA-256 of the whole token, the same every time", () => {
    expect(hashApiToken(KNOWN_TOKEN)).toBe(KNOWN_SHA256);
    expect(hashApiToken(KNOWN_TOKEN.split("").join(""))).toBe(KNOWN_SHA256);
    const other = createApiToken(cryptoRandom);
    expect(hashApiToken(other)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiToken(other)).not.toBe(KNOWN_SHA256);
  });

  it("shows only the prefix and 6 characters of randomness", () => {
    expect(displayPrefixOf(KNOWN_TOKEN)).toBe("rgw_012345");
    const token = createApiToken(cryptoRandom);
    expect(displayPrefixOf(token)).toBe(token.slice(0, 10));
    expect(token.startsWith(displayPrefixOf(token))).toBe(true);
  });

  it("never repeats: 10,000 tokens are distinct", () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => createApiToken(cryptoRandom)));
    expect(tokens.size).toBe(10_000);
  });
});

describe("API token checksum", () => {
  const samples = [KNOWN_TOKEN, createApiToken(cryptoRandom), createApiToken(cryptoRandom)];

  it("catches every single-character substitution, in the prefix, the body or the checksum", () => {
    for (const token of samples) {
      let checked = 0;
      for (let position = 0; position < token.length; position++) {
        for (const replacement of BASE62) {
          if (replacement === token[position]) continue;
          const mistyped = `${token.slice(0, position)}${replacement}${token.slice(position + 1)}`;
          expect(isWellFormedApiToken(mistyped), mistyped).toBe(false);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(53 * 60);
    }
  });

  it("catches every swap of two adjacent characters of the body", () => {
    for (const token of samples) {
      for (let position = API_TOKEN_PREFIX.length; position < token.length - 7; position++) {
        if (token[position] === token[position + 1]) continue;
        const swapped = `${token.slice(0, position)}${token[position + 1]}${token[position]}${token.slice(position + 2)}`;
        expect(isWellFormedApiToken(swapped), swapped).toBe(false);
      }
    }
  });

  it("refuses a valid body with a wrong checksum, and anything not exactly the token shape", () => {
    const body = KNOWN_TOKEN.slice(0, -6);
    expect(isWellFormedApiToken(`${body}000000`)).toBe(false);
    for (const text of [
      "",
      API_TOKEN_PREFIX,
      KNOWN_TOKEN.slice(0, -1),
      `${KNOWN_TOKEN}0`,
      ` ${KNOWN_TOKEN}`,
      `${KNOWN_TOKEN}\n`,
      KNOWN_TOKEN.toUpperCase(),
      `RGW_${KNOWN_TOKEN.slice(4)}`,
      `rgw-${KNOWN_TOKEN.slice(4)}`,
      KNOWN_TOKEN.slice(4),
      `${KNOWN_TOKEN.slice(0, 10)}_${KNOWN_TOKEN.slice(11)}`,
      encodeURIComponent(`${KNOWN_TOKEN.slice(0, 10)}+${KNOWN_TOKEN.slice(11)}`),
    ]) {
      expect(isWellFormedApiToken(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe("API token randomness", () => {
  it("maps bytes 0-247 onto base62 exactly four times each, and skips 248-255 (rejection sampling)", () => {
    const preimages = new Map<string, number>();
    for (let byte = 0; byte < 248; byte++) {
      // The first byte decides the first character; the rest of the chunk is filler ("1").
      const token = createApiToken(scripted([byte, ...Array(63).fill(1)]));
      const first = token[API_TOKEN_PREFIX.length] ?? "";
      expect(first).toBe(BASE62[byte % 62]);
      preimages.set(first, (preimages.get(first) ?? 0) + 1);
    }
    expect(preimages.size).toBe(62);
    expect(new Set(preimages.values())).toEqual(new Set([4]));

    const afterRejection = createApiToken(scripted(Array(64).fill(7)));
    for (let byte = 248; byte < 256; byte++) {
      // A chunk of nothing but rejected bytes yields no character at all: the next chunk decides.
      expect(createApiToken(scripted(Array(64).fill(byte), Array(64).fill(7)))).toBe(afterRejection);
    }
  });

  it("keeps asking for randomness until it has 43 accepted bytes", () => {
    let calls = 0;
    const mostlyRejected = (count: number) => {
      calls++;
      const bytes = new Uint8Array(count).fill(255);
      bytes[0] = 10; // one "A" per call
      return bytes;
    };
    expect(createApiToken(mostlyRejected).slice(4, 47)).toBe("A".repeat(43));
    expect(calls).toBe(43);
  });

  it("is uniform over base62 with cryptographic randomness (no modulo bias)", () => {
    const counts = new Map<string, number>(Array.from(BASE62, (character) => [character, 0]));
    const tokens = 4000;
    for (let index = 0; index < tokens; index++) {
      for (const character of createApiToken(cryptoRandom).slice(4, 47)) {
        counts.set(character, (counts.get(character) ?? 0) + 1);
      }
    }
    const total = tokens * 43;
    const expected = total / 62;
    const chiSquare = [...counts.values()].reduce(
      (sum, count) => sum + (count - expected) ** 2 / expected,
      0,
    );
    // 61 degrees of freedom: P(χ² > 130) ≈ 1e-7. Plain `byte % 62` would give ~1,100 here.
    expect(chiSquare).toBeLessThan(130);
    // `byte % 62` would favour the first 8 characters by 25%.
    const mean = (characters: string) =>
      [...characters].reduce((sum, character) => sum + (counts.get(character) ?? 0), 0) / characters.length;
    expect(Math.abs(mean(BASE62.slice(0, 8)) / mean(BASE62.slice(8)) - 1)).toBeLessThan(0.04);
  });
});
