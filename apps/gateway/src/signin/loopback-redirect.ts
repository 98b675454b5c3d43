/**
 * The CLI's redirect URI (RFC 8252 §7.3): `http://127.0.0.1:PORT/…` or `http://[::1]:PORT/…`, any port, never
 * another host. `localhost` is refused too (RFC 8252 §8.3: a name can resolve elsewhere or be firewalled
 * differently); the CLI listens on the IP literal.
 */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]"]);

export function parseLoopbackRedirectUri(value: string | null | undefined): URL | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" || !LOOPBACK_HOSTS.has(url.hostname)) return null;
  // The literal must say the same: `http://127.0.0.1:1@evil.example` and friends never get this far.
  if (url.port === "" || url.username !== "" || url.password !== "" || url.hash !== "") return null;
  return url;
}
