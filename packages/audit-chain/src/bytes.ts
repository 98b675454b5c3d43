/** Byte helpers shared by the chain, the Merkle tree and checkpoints: hex, base64url, length-prefixed framing. */
import { timingSafeEqual } from "node:crypto";

const HEX_32_BYTES = /^[0-9a-f]{64}$/;
const encoder = new TextEncoder();

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function encodeHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** True for exactly 64 lowercase hex digits (a SHA-256 / HMAC-SHA256 value as stored in records). */
export function isHash32Hex(text: unknown): text is string {
  return typeof text === "string" && HEX_32_BYTES.test(text);
}

/** Decodes 64 lowercase hex digits; throws TypeError otherwise (callers validate untrusted input first). */
export function decodeHash32Hex(text: string, what: string): Uint8Array {
  if (!isHash32Hex(text))
    throw new TypeError(`${what} must be 64 lowercase hex digits, got ${JSON.stringify(text)}`);
  return new Uint8Array(Buffer.from(text, "hex"));
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/** Strict base64url (no padding, canonical trailing bits): returns null on anything else. */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? new Uint8Array(bytes) : null;
}

/** Constant-time equality for equal-length byte strings; false when the lengths differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** u64 big-endian; `value` must be a safe non-negative integer. */
export function encodeU64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

/**
 * Unambiguous framing: each field as u32-BE byte length followed by its bytes. Two different field lists can
 * never produce the same output, so no field can bleed into its neighbour.
 */
export function frameFields(fields: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const field of fields) total += 4 + field.byteLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const field of fields) {
    view.setUint32(offset, field.byteLength);
    out.set(field, offset + 4);
    offset += 4 + field.byteLength;
  }
  return out;
}

/**
 * The framing of a record's MAC input or Merkle leaf — `frameFields([tag, u64 seq, 32-byte hash, ...texts])` —
 * written straight into one buffer, with no intermediate arrays (this runs for every audit event, twice).
 * `leadingByte`, when given, comes first and unframed (the RFC 9162 0x00 leaf prefix), so the result can be
 * hashed in one call. Throws TypeError if `hashHex` is not 64 lowercase hex digits (naming it `hashName`) and
 * RangeError if `seq` is not a safe non-negative integer.
 */
export function frameRecordFields(
  tag: Uint8Array,
  seq: number,
  hashHex: string,
  hashName: string,
  texts: readonly string[],
  leadingByte?: number,
): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new RangeError(`seq must be a safe non-negative integer, got ${seq}`);
  if (!isHash32Hex(hashHex))
    throw new TypeError(`${hashName} must be 64 lowercase hex digits, got ${JSON.stringify(hashHex)}`);
  let total = (leadingByte === undefined ? 0 : 1) + 4 + tag.byteLength + 4 + 8 + 4 + 32;
  for (const text of texts) total += 4 + Buffer.byteLength(text, "utf8");
  const out = Buffer.allocUnsafe(total);
  let offset = leadingByte === undefined ? 0 : out.writeUInt8(leadingByte, 0);
  offset = out.writeUInt32BE(tag.byteLength, offset);
  out.set(tag, offset);
  offset += tag.byteLength;
  offset = out.writeUInt32BE(8, offset);
  offset = out.writeUInt32BE(Math.floor(seq / 2 ** 32), offset); // u64 big-endian: high word, then low
  offset = out.writeUInt32BE(seq >>> 0, offset);
  offset = out.writeUInt32BE(32, offset);
  offset += out.write(hashHex, offset, "hex");
  for (const text of texts) {
    const length = Buffer.byteLength(text, "utf8");
    offset = out.writeUInt32BE(length, offset);
    offset += out.write(text, offset, length, "utf8");
  }
  return out;
}
