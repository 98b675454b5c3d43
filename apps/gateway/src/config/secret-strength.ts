/**
 * Judges whether a configured secret is strong enough: at least 32 bytes of key material once decoded, and
 * not an obvious placeholder or low-variety string.
 */
export type SecretStrength =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: string; bytes: Uint8Array };

const MIN_BYTES = 32;
// Only words of 6+ letters: a random base64 value contains one by chance with negligible probability.
const PLACEHOLDERS = /change.?me|secret|password|example|placeholder|default|123456|abcdef/i;

function decode(value: string): Uint8Array {
  if (/^[0-9a-f]+$/i.test(value) && value.length % 2 === 0) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) return Buffer.from(value, "base64");
  if (/^[A-Za-z0-9_-]+$/.test(value)) return Buffer.from(value, "base64url");
  return Buffer.from(value, "utf8");
}

export function checkSecretStrength(value: string): SecretStrength {
  const bytes = new Uint8Array(decode(value.trim()));
  if (bytes.length < MIN_BYTES) {
    return {
      ok: false,
      bytes,
      reason: `it decodes to ${bytes.length} bytes; use at least ${MIN_BYTES} random bytes (openssl rand -base64 32)`,
    };
  }
  if (PLACEHOLDERS.test(value))
    return { ok: false, bytes, reason: "it looks like a placeholder, not a random value" };
  const distinct = new Set(bytes).size;
  if (distinct < 16) return { ok: false, bytes, reason: "it has too little variety to be random" };
  return { ok: true, bytes };
}
