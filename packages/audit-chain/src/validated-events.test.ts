import { describe, expect, it } from "vitest";
import {
  canonicalizeEvent,
  canonicalizeJson,
  createChainSealer,
  parseAuditEvent,
  verifyChain,
} from "./index.js";
import { makeTestEvent, TEST_CHAIN_KEY } from "./testing/index.js";

describe("parseAuditEvent: validated once, canonicalized once", () => {
  it("returns a deep-frozen copy: the event, its actor and its params cannot be changed afterwards", () => {
    const input = makeTestEvent({ params: { list: [1, { nested: "x" }] } });
    const event = parseAuditEvent(input);
    expect(event).not.toBe(input);
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.actor)).toBe(true);
    expect(Object.isFrozen(event.params?.list)).toBe(true);
    expect(() => {
      (event as { reason: string }).reason = "rewritten";
    }).toThrow(TypeError);
    expect(() => {
      const list = (event.params as { list: { nested: string }[] }).list;
      (list[1] as { nested: string }).nested = "y";
    }).toThrow(TypeError);
    // The caller's own object is left as it was: mutable, and not remembered.
    expect(Object.isFrozen(input)).toBe(false);
  });

  it("passes an event it already returned straight through", () => {
    const event = parseAuditEvent(makeTestEvent());
    expect(parseAuditEvent(event)).toBe(event);
  });

  it("gives a validated event the same canonical text as an equal plain object", () => {
    const input = makeTestEvent({ params: { b: "2", a: "1" }, detail: { z: null, y: [true] } });
    const event = parseAuditEvent(input);
    expect(canonicalizeEvent(event)).toBe(canonicalizeJson(structuredClone(input)));
    expect(canonicalizeEvent(event)).toBe(canonicalizeEvent(event));
  });

  it("never serves a remembered text for a plain object that was changed in between", () => {
    const plain = makeTestEvent();
    const before = canonicalizeEvent(plain);
    plain.reason = "changed";
    expect(canonicalizeEvent(plain)).not.toBe(before);
    expect(canonicalizeEvent(plain)).toContain('"reason":"changed"');
  });

  it("seals a pre-validated event and a plain one to the same hash", () => {
    const seal = createChainSealer({ keys: { k: TEST_CHAIN_KEY }, currentKeyId: "k" });
    const input = makeTestEvent();
    const fromPlain = seal(null, structuredClone(input));
    const fromValidated = seal(null, parseAuditEvent(input));
    expect(fromValidated.hash).toBe(fromPlain.hash);
    expect(verifyChain([fromValidated], { k: TEST_CHAIN_KEY })).toMatchObject({ ok: true });
  });

  it("still refuses a malformed event that was never validated, however it is passed", () => {
    const seal = createChainSealer({ keys: { k: TEST_CHAIN_KEY }, currentKeyId: "k" });
    const frozenButInvalid = Object.freeze({ ...makeTestEvent(), decision: "maybe" });
    expect(() => seal(null, frozenButInvalid as never)).toThrow(/decision/);
    expect(() => parseAuditEvent(frozenButInvalid)).toThrow(TypeError);
  });
});
