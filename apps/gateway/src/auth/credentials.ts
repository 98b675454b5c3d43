/**
 * Reads the credential a client presents on the rack proxy: `Authorization: Basic` (the convox CLI's
 * `convox:<password>`, with the password URL-escaped by the CLI — see CONVOX-API.md) or `Bearer`.
 * Cookies are never a credential here: a signed-in browser must not be able to drive the rack.
 */
export type Credential = { readonly scheme: "basic" | "bearer"; readonly secret: string };

const MAX_HEADER_LENGTH = 4096;

export function readCredential(authorization: string | undefined): Credential | null {
  if (!authorization || authorization.length > MAX_HEADER_LENGTH) return null;
  const space = authorization.indexOf(" ");
  if (space <= 0) return null;
  const scheme = authorization.slice(0, space).toLowerCase();
  const value = authorization.slice(space + 1).trim();
  if (scheme === "bearer") return value.length > 0 ? { scheme, secret: value } : null;
  if (scheme !== "basic") return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  try {
    const secret = decodeURIComponent(decoded.slice(colon + 1));
    return secret.length > 0 ? { scheme, secret } : null;
  } catch {
    return null;
  }
}
