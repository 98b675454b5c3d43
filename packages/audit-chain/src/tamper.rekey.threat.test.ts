// Threat: an attacker relabels a record with another HMAC key id, to pass off a record sealed under a weaker or leaked key.
import { describe, expect, it } from "vitest";
import { type AuditRecord, type ChainHead, createChainSealer, verifyChain } from "./index.js";
import { makeTestEvent } from "./testing/index.js";

const OLD_KEY = new Uint8Array(32).fill(0x11);
const NEW_KEY = new Uint8Array(32).fill(0x22);
const KEYS = { "2025": OLD_KEY, "2026": NEW_KEY };

// Records 1-4 sealed under key "2025", then the key is rotated and records 5-8 are sealed under "2026".
function rotatedChain(): AuditRecord[] {
  const sealOld = createChainSealer({ keys: KEYS, currentKeyId: "2025" });
  const sealNew = createChainSealer({ keys: KEYS, currentKeyId: "2026" });
  const records: AuditRecord[] = [];
  for (let seq = 1; seq <= 8; seq++) {
    const seal = seq <= 4 ? sealOld : sealNew;
    records.push(
      seal((records.at(-1) as ChainHead | undefined) ?? null, makeTestEvent({ requestId: `r${seq}` })),
    );
  }
  return records;
}

describe("threat: record relabelled with another key id", () => {
  const records = rotatedChain();

  it("verifies a chain across a key rotation when both keys are configured", () => {
    expect(records.map((record) => record.keyId)).toEqual([
      "2025",
      "2025",
      "2025",
      "2025",
      "2026",
      "2026",
      "2026",
      "2026",
    ]);
    expect(verifyChain(records, KEYS)).toMatchObject({ ok: true, count: 8 });
  });

  it("detects a record relabelled to another known key id (the key id is inside the MAC)", () => {
    const relabelled = records.map((record) => (record.seq === 6 ? { ...record, keyId: "2025" } : record));
    expect(verifyChain(relabelled, KEYS)).toMatchObject({
      ok: false,
      index: 5,
      seq: 6,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("detects a record relabelled even when both keys hold the same bytes", () => {
    const same = { a: OLD_KEY, b: OLD_KEY };
    const sealA = createChainSealer({ keys: same, currentKeyId: "a" });
    const record = sealA(null, makeTestEvent());
    expect(verifyChain([record], same)).toMatchObject({ ok: true });
    expect(verifyChain([{ ...record, keyId: "b" }], same)).toMatchObject({
      ok: false,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("rejects a record labelled with an unknown or retired-and-removed key id", () => {
    const relabelled = records.map((record) => (record.seq === 2 ? { ...record, keyId: "2024" } : record));
    expect(verifyChain(relabelled, KEYS)).toMatchObject({
      ok: false,
      index: 1,
      reason: { code: "UNKNOWN_KEY_ID" },
    });
    expect(verifyChain(records, { "2026": NEW_KEY })).toMatchObject({
      ok: false,
      index: 0,
      reason: { code: "UNKNOWN_KEY_ID" },
    });
  });

  it("ignores inherited properties when looking up a key id", () => {
    const relabelled = records.map((record) =>
      record.seq === 1 ? { ...record, keyId: "constructor" } : record,
    );
    expect(verifyChain(relabelled, KEYS)).toMatchObject({
      ok: false,
      index: 0,
      reason: { code: "UNKNOWN_KEY_ID" },
    });
  });
});
