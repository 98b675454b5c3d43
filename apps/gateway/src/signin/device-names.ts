/** Names that tell a person's sessions apart in their session list ("Chrome on Linux", "alice's laptop"). */
// Control characters, line separators and bidirectional overrides (which can disguise a name).
import { isInvisible, replaceLoneSurrogates } from "../audit/audit-text.js";

/** Printable text only, trimmed, at most 100 characters; null when nothing is left. */
export function cleanDeviceName(input: unknown): string | null {
  if (typeof input !== "string") return null;
  const collapsed = [...input]
    .map((char) => (isInvisible(char.charCodeAt(0)) ? " " : char))
    .join("")
    .replace(/\s+/g, " ")
    .trim();
  // Cut between code points: half a surrogate pair would make the sign-in's audit event unsealable.
  const cleaned = replaceLoneSurrogates([...collapsed].slice(0, 100).join(""));
  return cleaned.length > 0 ? cleaned : null;
}

const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/Edg\//, "Edge"],
  [/Firefox\//, "Firefox"],
  [/HeadlessChrome\//, "Headless Chrome"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/Android/, "Android"],
  [/iPhone|iPad/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

/** "Chrome on Linux" from a User-Agent; "web browser" when it says nothing recognisable. */
export function describeBrowser(userAgent: string | undefined): string {
  if (!userAgent) return "web browser";
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? "web browser";
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  return system ? `${browser} on ${system}` : browser;
}
