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
