/**
 * Device-flow user codes (RFC 8628 §6.1): 8 characters from 20 consonants — no vowels (no words), no digits
 * (no 0/O, 1/I) — shown as `XXXX-XXXX`; about 34 bits, guessed only at the rate-limited entry page within the
 * code's 10 minutes. People may type them in any case, with or without the dash or spaces.
 */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const LENGTH = 8;

export function createUserCode(random: (byteCount: number) => Uint8Array): string {
  let code = "";
  while (code.length < LENGTH) {
    for (const byte of random(16)) {
      // Rejection sampling: 240 is the largest multiple of 20 below 256, so every letter is equally likely.
      if (byte >= 240 || code.length === LENGTH) continue;
      code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length];
    }
  }
  return formatUserCode(code);
}

function formatUserCode(compact: string): string {
  return `${compact.slice(0, 4)}-${compact.slice(4)}`;
}

/** `bdwp hqpk`, `BDWPHQPK`, `bdwp-hqpk` → `BDWP-HQPK`; null when it cannot be a user code. */
export function normalizeUserCode(input: string | null | undefined): string | null {
  if (typeof input !== "string" || input.length > 32) return null;
  const compact = input.toUpperCase().replace(/[\s-]/g, "");
  if (compact.length !== LENGTH) return null;
  for (const char of compact) if (!USER_CODE_ALPHABET.includes(char)) return null;
  return formatUserCode(compact);
}
