import { describe, expect, it } from "vitest";
import {
  type AuditRecord,
  createChainSealer,
  createChainVerifier,
  createMemoryAuditStore,
  verifyChain,
  verifyStoredChain,
} from "./index.js";
import { makeTestChain, makeTestEvent, TEST_CHAIN_KEY } from "./testing/index.js";

describe("verifyChain", () => {
  const { records, keys } = makeTestChain({ length: 12 });

  it("accepts an empty chain with a null head", () => {
    expect(verifyChain([], keys)).toEqual({ ok: true, head: null, count: 0, checkpointsVerified: 0 });
  });

  it("verifies a window from expectedStart, and rejects a window that does not chain onto it", () => {
    const start = { seq: 4, hash: (records[3] as AuditRecord).hash };
    expect(verifyChain(records.slice(4), keys, { expectedStart: start })).toEqual({
      ok: true,
      head: { seq: 12, hash: (records[11] as AuditRecord).hash },
      count: 8,
      checkpointsVerified: 0,
    });
    expect(verifyChain([], keys, { expectedStart: start })).toMatchObject({
      ok: true,
      head: start,
      count: 0,
    });
    expect(
      verifyChain(records.slice(4), keys, { expectedStart: { seq: 4, hash: "cd".repeat(32) } }),
    ).toMatchObject({
      ok: false,
      index: 0,
      reason: { code: "PREV_HASH_MISMATCH" },
    });
    expect(verifyChain(records.slice(5), keys, { expectedStart: start })).toMatchObject({
      ok: false,
      reason: { code: "SEQ_GAP" },
    });
  });

  it("streams: push returns null until a failure, then keeps returning it", () => {
    const verifier = createChainVerifier(keys);
    for (const record of records.slice(0, 5)) expect(verifier.push(record)).toBeNull();
    const failure = verifier.push(records[6] as AuditRecord);
    expect(failure).toMatchObject({ ok: false, index: 5, reason: { code: "SEQ_GAP" } });
    expect(verifier.push(records[5] as AuditRecord)).toBe(failure);
    expect(verifier.finish()).toBe(failure);
  });

  it("reports messages a human can act on", () => {
    const result = verifyChain([records[0] as AuditRecord, records[2] as AuditRecord], keys);
    expect(result).toMatchObject({
      ok: false,
      reason: { message: "expected seq 2, found 3: records are missing" },
    });
  });

  it("flags a record that is not shaped like a record as MALFORMED_RECORD", () => {
    const bogus = [{ seq: "1", prevHash: "x" } as unknown as AuditRecord];
    expect(verifyChain(bogus, keys)).toMatchObject({
      ok: false,
      index: 0,
      reason: { code: "MALFORMED_RECORD" },
    });
  });

  it("throws TypeError on misuse: short keys, bad expectedStart", () => {
    expect(() => verifyChain(records, { k: new Uint8Array(16) })).toThrow(TypeError);
    expect(() => verifyChain(records, keys, { expectedStart: { seq: -1, hash: "00" } })).toThrow(TypeError);
  });

  it("accepts any iterable, e.g. a generator", () => {
    function* generate() {
      yield* records;
    }
    expect(verifyChain(generate(), keys)).toMatchObject({ ok: true, count: 12 });
  });
});

describe("verifyStoredChain", () => {
  it("pages through a store and verifies it, from the start or from a window", async () => {
    const store = createMemoryAuditStore();
    const keys = { k: TEST_CHAIN_KEY };
    const seal = createChainSealer({ keys, currentKeyId: "k" });
    const appended = await store.append(
      Array.from({ length: 23 }, (_, i) => makeTestEvent({ requestId: `r${i}` })),
      seal,
    );
    expect(await verifyStoredChain(store, keys, { pageSize: 5 })).toMatchObject({ ok: true, count: 23 });
    const start = { seq: 20, hash: (appended[19] as AuditRecord).hash };
    expect(await verifyStoredChain(store, keys, { pageSize: 2, expectedStart: start })).toMatchObject({
      ok: true,
      count: 3,
    });
    await expect(verifyStoredChain(store, keys, { pageSize: 0 })).rejects.toThrow(RangeError);
  });
});

describe("createChainSealer", () => {
  it("validates keys and the current key id with a TypeError", () => {
    expect(() => createChainSealer({ keys: { k: new Uint8Array(31) }, currentKeyId: "k" })).toThrow(
      /at least 32 bytes/,
    );
    expect(() => createChainSealer({ keys: { k: TEST_CHAIN_KEY }, currentKeyId: "other" })).toThrow(
      TypeError,
    );
    expect(() => createChainSealer({ keys: { "": TEST_CHAIN_KEY }, currentKeyId: "" })).toThrow(TypeError);
  });

  it("validates the event, and seals a copy the caller cannot mutate afterwards", () => {
    const seal = createChainSealer({ keys: { k: TEST_CHAIN_KEY }, currentKeyId: "k" });
    expect(() => seal(null, { ...makeTestEvent(), time: "yesterday" })).toThrow(TypeError);
    const list = [1];
    const record = seal(null, makeTestEvent({ params: { a: list } }));
    list.push(2);
    expect(record.event.params).toEqual({ a: [1] });
    expect(verifyChain([record], { k: TEST_CHAIN_KEY })).toMatchObject({ ok: true });
  });
});
