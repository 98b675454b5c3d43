/** Text frame that ends an exec/run stream; the exit code and a newline follow it. */
export const EXIT_CODE_MARKER = "F1E49A85-0AD7-4AEF-A618-C249C6E6568D:";

/** Prefix of the text frame a rack sends when a websocket handler fails. */
export const STREAM_ERROR_PREFIX = "ERROR: ";

/** Header value sent as `Version` on every request, as the convox CLI does. */
export const CONVOX_API_VERSION = "3.0.0";

/**
 * Reads the exit code out of an exec/run frame.
 *
 * @returns the exit code when `frame` starts with {@link EXIT_CODE_MARKER} and carries an integer,
 *   otherwise `null` (ordinary output).
 * @example parseExitFrame("F1E49A85-0AD7-4AEF-A618-C249C6E6568D:3\n") // 3
 */
export function parseExitFrame(frame: string): number | null {
  if (!frame.startsWith(EXIT_CODE_MARKER)) return null;
  const digits = frame.slice(EXIT_CODE_MARKER.length).trim();
  if (!/^-?\d{1,10}$/.test(digits)) return null;
  return Number.parseInt(digits, 10);
}

/** Builds the exit frame a rack sends when an exec/run process ends with `exitCode`. */
export function formatExitFrame(exitCode: number): string {
  if (!Number.isInteger(exitCode)) {
    throw new RangeError(`formatExitFrame: exit code must be an integer, got ${exitCode}`);
  }
  return `${EXIT_CODE_MARKER}${exitCode}\n`;
}

/**
 * Builds the `Authorization` header value the convox CLI sends: Basic with user `convox` and the
 * password URL-escaped (`p@ss/w0rd` travels as `p%40ss%2Fw0rd`), RFC 7617.
 */
export function encodeBasicAuth(password: string, username = "convox"): string {
  const credentials = `${username}:${encodeURIComponent(password)}`;
  return `Basic ${Buffer.from(credentials, "utf8").toString("base64")}`;
}

/**
 * Reads the password out of a Basic `Authorization` header and percent-decodes it; the username
 * is ignored, as the rack ignores it.
 *
 * @returns the decoded password, or `null` when the header is missing, not Basic, not valid
 *   base64, has no `:` or carries a malformed percent escape.
 */
export function decodeBasicAuthPassword(header: string | null | undefined): string | null {
  if (header == null) return null;
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+=*)[ \t]*$/i.exec(header);
  if (match === null) return null;
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  try {
    return decodeURIComponent(decoded.slice(colon + 1));
  } catch {
    return null;
  }
}

/** Parses a release's `env` (newline-separated `KEY=VALUE`) into a record; later keys win. */
export function parseEnv(env: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of env.split("\n")) {
    const trimmed = line.replace(/\r$/, "");
    if (trimmed.trim() === "" || trimmed.trimStart().startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq <= 0) continue;
    result[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1);
  }
  return result;
}

/** Formats env as the convox CLI does: `KEY=VALUE` lines sorted by key, joined by `\n`. */
export function formatEnv(env: Readonly<Record<string, string>>): string {
  return Object.keys(env)
    .sort()
    .map((key) => `${key}=${env[key] ?? ""}`)
    .join("\n");
}
