/** Replacement for a secret value in the audit log and the stdout log stream. */
export const REDACTED = "[REDACTED]";

/** Replacement the gateway shows for a masked env value (release JSON, `convox env`). */
export const MASK = "********";

/** Stands in for a value that refers back to one of its own ancestors. */
export const CIRCULAR = "[Circular]";

/** Stands in for a value nested deeper than {@link MAX_REDACTION_DEPTH}. */
export const MAX_DEPTH = "[MaxDepth]";

/** Stands in for a value whose reading threw (a throwing getter, a revoked Proxy). */
export const UNREADABLE = "[Unreadable]";

/** Objects and arrays nested deeper than this are replaced by {@link MAX_DEPTH}. */
export const MAX_REDACTION_DEPTH = 32;

/** Arrays longer than this keep their first items and end with a `"[+N more]"` marker. */
export const MAX_ARRAY_ITEMS = 100_000;

/** Header sets with more entries than this are cut (Node itself accepts 2 000 by default). */
export const MAX_HEADER_ENTRIES = 10_000;
