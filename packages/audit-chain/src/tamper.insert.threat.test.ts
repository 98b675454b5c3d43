// Threat: an attacker inserts fabricated or replayed audit records to frame someone or pad the log.
import { describe, expect, it } from "vitest";
import { type AuditRecord, createChainSealer, verifyChain } from "./index.js";
import { makeTestChain, makeTestEvent } from "./testing/index.js";

const forge = createChainSealer({
  keys: { "test-key": new Uint8Array(32).fill(1) },
  currentKeyId: "test-key",
});
const framing = makeTestEvent({ requestId: "framed", actor: { type: "user", email: "victim@example.com" } });

describe("threat: inserted audit records", () => {
  const { records, keys } = makeTestChain({ length: 8 });

  it("detects a fabricated record inserted mid-chain with later records renumbered", () => {
    const inserted = forge(records[2] as AuditRecord, framing);
    const tampered = [
      ...records.slice(0, 3),
      inserted,
      ...records.slice(3).map((record) => ({ ...record, seq: record.seq + 1 })),
    ];
    expect(verifyChain(tampered, keys)).toMatchObject({
      ok: false,
      index: 3,
      seq: 4,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("detects a fabricated record inserted without renumbering as a repeated seq", () => {
    const inserted = forge(records[2] as AuditRecord, framing);
    const tampered = [...records.slice(0, 4), { ...inserted, seq: 4 }, ...records.slice(4)];
    expect(verifyChain(tampered, keys)).toMatchObject({
      ok: false,
      index: 4,
      reason: { code: "SEQ_OUT_OF_ORDER" },
    });
  });

  it("detects a replayed (duplicated) genuine record", () => {
    const tampered = [...records.slice(0, 5), records[4] as AuditRecord, ...records.slice(5)];
    expect(verifyChain(tampered, keys)).toMatchObject({
      ok: false,
      index: 5,
      seq: 5,
      reason: { code: "SEQ_OUT_OF_ORDER" },
    });
  });

  it("detects a fabricated record appended at the end", () => {
    const tampered = [...records, forge(records[7] as AuditRecord, framing)];
    expect(verifyChain(tampered, keys)).toMatchObject({
      ok: false,
      index: 8,
      seq: 9,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("detects a fabricated record sealed under a key id the verifier does not know", () => {
    const rogue = createChainSealer({
      keys: { "rogue-key": new Uint8Array(32).fill(2) },
      currentKeyId: "rogue-key",
    });
    const tampered = [...records, rogue(records[7] as AuditRecord, framing)];
    expect(verifyChain(tampered, keys)).toMatchObject({
      ok: false,
      index: 8,
      reason: { code: "UNKNOWN_KEY_ID" },
    });
  });
});
