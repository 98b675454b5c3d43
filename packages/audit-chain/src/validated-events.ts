/**
 * Events that `parseAuditEvent` produced: validated, deep-frozen, and therefore safe to remember. The writer,
 * the seal, the Merkle leaf and the log line all need an event's canonical text; remembering it per frozen
 * event means a proxied request's event is validated once and canonicalized once, not four times.
 *
 * Only frozen objects are registered: a cached canonical text can never go stale, because nothing can change
 * the event it describes.
 */
const canonicalTextByEvent = new WeakMap<object, string | null>();

/** Freezes `value` and everything under it (plain JSON data only: objects and arrays). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/** Registers a deep-frozen, schema-valid event. */
export function rememberValidated(event: object): void {
  if (!Object.isFrozen(event)) throw new TypeError("only frozen events can be remembered as validated");
  canonicalTextByEvent.set(event, null);
}

/** True for an event object that `parseAuditEvent` returned (it cannot have changed since). */
export function isValidated(event: object): boolean {
  return canonicalTextByEvent.has(event);
}

/** The remembered canonical text of a validated event, computing it with `compute` the first time. */
export function canonicalTextOf(event: object, compute: () => string): string {
  const known = canonicalTextByEvent.get(event);
  if (known !== undefined && known !== null) return known;
  const text = compute();
  if (known === null) canonicalTextByEvent.set(event, text);
  return text;
}
