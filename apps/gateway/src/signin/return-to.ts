/**
 * Where a browser goes after signing in: a path on this gateway only. Anything else (`//evil.example`,
 * `/\evil.example`, `https://…`, control characters that browsers strip) falls back to the default, so the
 * sign-in can never be turned into an open redirect.
 */
export const DEFAULT_RETURN_TO = "/auth/done";

const isControlCharacter = (char: string) => {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
};

// Relative paths are resolved against an origin that cannot exist (RFC 6761 `.invalid`): a value that ends up on
// any other origin tried to leave the gateway.
const RESOLUTION_ORIGIN = "http://gateway.invalid";

export function parseReturnTo(value: string | null | undefined): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return null;
  if (!value.startsWith("/") || value.startsWith("//")) return null;
  // Browsers read `\` as `/` and drop tabs and newlines inside URLs: `/\evil.example` is `//evil.example`.
  if (value.includes("\\") || [...value].some(isControlCharacter)) return null;
  let url: URL;
  try {
    url = new URL(value, RESOLUTION_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== RESOLUTION_ORIGIN) return null;
  // Resolving removes dot segments after the check above: `/.//evil.example` and `/a/..//evil.example` become
  // `//evil.example`, which a browser reads as another host. Check what is handed on, not only what came in.
  if (url.pathname.startsWith("//") || url.pathname.startsWith("/\\")) return null;
  // Never back into the sign-in itself (a loop, or a replayed callback).
  if (url.pathname === "/auth/login" || url.pathname === "/auth/callback") return null;
  return `${url.pathname}${url.search}`;
}
