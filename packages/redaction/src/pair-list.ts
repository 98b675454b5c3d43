// "a=1&b=2" lists (query strings, fragments, form bodies): redacts by decoded name and keeps every
// untouched pair byte for byte.

export interface PairListOptions {
  /** Form bodies encode a space as "+" (application/x-www-form-urlencoded). */
  readonly plusIsSpace: boolean;
  readonly replacement: string;
  readonly isSensitive: (name: string) => boolean;
  /** Returns the redacted decoded value (identical when nothing is secret). */
  readonly redactValue: (name: string, value: string) => string;
  /** Scans a part that cannot be decoded, or a pair without "=". */
  readonly scanRaw: (raw: string) => string;
}

export function decodeComponent(raw: string, plusIsSpace: boolean): string | undefined {
  try {
    return decodeURIComponent(plusIsSpace ? raw.replaceAll("+", " ") : raw);
  } catch {
    return undefined;
  }
}

/** Percent-encodes a redacted value but leaves "[" and "]" readable, so "[REDACTED]" stays legible. */
export function encodeComponent(value: string, plusIsSpace: boolean): string {
  const encoded = encodeURIComponent(value).replaceAll("%5B", "[").replaceAll("%5D", "]");
  return plusIsSpace ? encoded.replaceAll("%20", "+") : encoded;
}

function redactPair(pair: string, options: PairListOptions): string {
  const equals = pair.indexOf("=");
  if (equals === -1) return options.scanRaw(pair);
  const rawName = pair.slice(0, equals);
  const rawValue = pair.slice(equals + 1);
  const name = decodeComponent(rawName, options.plusIsSpace) ?? rawName;
  if (options.isSensitive(name)) {
    return rawValue === "" ? pair : `${rawName}=${options.replacement}`;
  }
  const value = decodeComponent(rawValue, options.plusIsSpace);
  if (value === undefined) return `${rawName}=${options.scanRaw(rawValue)}`;
  const redacted = options.redactValue(name, value);
  return redacted === value ? pair : `${rawName}=${encodeComponent(redacted, options.plusIsSpace)}`;
}

export function redactPairList(list: string, options: PairListOptions): string {
  return list
    .split("&")
    .map((pair) => redactPair(pair, options))
    .join("&");
}
