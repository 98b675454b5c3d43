/** The longest path, in characters, that a route can match. */
export const MAX_PATH_LENGTH = 4096;
/** The most segments a path can have. */
export const MAX_PATH_SEGMENTS = 64;

/** A request path after normalisation: what the gateway authorizes and forwards. */
export interface NormalizedPath {
  /** Percent-decoded segments, dot segments resolved. */
  readonly segments: readonly string[];
  /** True when the request path ended in a single `/` (not a segment: it never changes which route matches). */
  readonly trailingSlash: boolean;
  /** The segments re-encoded one by one, joined with `/`, keeping the trailing slash. */
  readonly path: string;
}

// RFC 3986 §3.3 pchar plus "/": anything else raw in a request target is malformed.
const RAW_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
// Separators and C0/C1 control characters (including NUL) must never appear inside a decoded segment.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const FORBIDDEN_DECODED = /[/\\\u0000-\u001f\u007f-\u009f]/;

/**
 * Normalises a raw request target into the path the gateway authorizes and forwards, or null when it is
 * malformed. Drops everything from the first `?` or `#` (the Convox CLI ends every URL in `?`); requires a
 * leading `/`; treats an empty segment (`//`) as malformed, except one trailing slash; decodes each segment
 * exactly once and rejects bad escapes and decoded `/`, `\`, NUL or control characters; then resolves `.` and
 * `..` (so `%2e%2e` counts as `..`) and rejects climbing above the root. Paths longer than 4096 characters or
 * with more than 64 segments are rejected.
 */
export function normalizeRequestPath(rawTarget: string): NormalizedPath | null {
  if (typeof rawTarget !== "string") {
    throw new TypeError("normalizeRequestPath: rawTarget must be the request target string, e.g. '/apps?'");
  }
  const end = rawTarget.search(/[?#]/);
  const raw = end < 0 ? rawTarget : rawTarget.slice(0, end);
  if (!raw.startsWith("/") || raw.length > MAX_PATH_LENGTH || !RAW_PATH.test(raw) || BAD_ESCAPE.test(raw)) {
    return null;
  }
  const trailingSlash = raw.length > 1 && raw.endsWith("/");
  const body = raw.slice(1, trailingSlash ? -1 : undefined);
  const rawSegments = body === "" ? [] : body.split("/");
  if (rawSegments.length > MAX_PATH_SEGMENTS) return null;

  const segments: string[] = [];
  for (const rawSegment of rawSegments) {
    if (rawSegment === "") return null;
    const segment = decodeSegment(rawSegment);
    if (segment === null || segment === "" || FORBIDDEN_DECODED.test(segment)) return null;
    if (segment === ".") continue;
    if (segment === "..") {
      if (segments.pop() === undefined) return null;
      continue;
    }
    segments.push(segment);
  }
  return Object.freeze({
    segments: Object.freeze(segments),
    trailingSlash,
    path: encodePath(segments, trailingSlash),
  });
}

/** Re-encodes decoded segments one by one (encodeURIComponent) into a path. */
export function encodePath(segments: readonly string[], trailingSlash: boolean): string {
  const joined = `/${segments.map(encodeURIComponent).join("/")}`;
  return trailingSlash && segments.length > 0 ? `${joined}/` : joined;
}

function decodeSegment(rawSegment: string): string | null {
  try {
    return decodeURIComponent(rawSegment);
  } catch {
    // Escapes that do not decode to UTF-8 (e.g. %C0%AF, the overlong "/").
    return null;
  }
}
