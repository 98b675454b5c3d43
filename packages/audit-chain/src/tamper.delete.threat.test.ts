// Threat: an attacker deletes audit records from the middle or the start of the chain to erase an action.
import { describe, expect, it } from "vitest";
import { type AuditRecord, createChainSealer, verifyChain } from "./index.js";
import { makeTestChain } from "./testing/index.js";

describe("threat: deleted audit records", () => {
  const { records, keys } = makeTestChain({ length: 8 });

  it("detects a deleted middle record as SEQ_GAP at the record after it", () => {
    const deleted = records.filter((record) => record.seq !== 4);
    expect(verifyChain(deleted, keys)).toMatchObject({
      ok: false,
      index: 3,
      seq: 5,
      reason: { code: "SEQ_GAP" },
    });
  });

  it("detects several deleted records", () => {
    const deleted = records.filter((record) => record.seq < 3 || record.seq > 6);
    expect(verifyChain(deleted, keys)).toMatchObject({
      ok: false,
      index: 2,
      seq: 7,
      reason: { code: "SEQ_GAP" },
    });
  });

  it("detects a deleted first record", () => {
    expect(verifyChain(records.slice(1), keys)).toMatchObject({
      ok: false,
      index: 0,
      reason: { code: "SEQ_GAP" },
    });
  });

  it("detects a deletion hidden by renumbering the later records", () => {
    const renumbered = records
      .filter((record) => record.seq !== 4)
      .map((record) => (record.seq > 4 ? { ...record, seq: record.seq - 1 } : record));
    expect(verifyChain(renumbered, keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "PREV_HASH_MISMATCH" },
    });
  });

  it("detects a deletion hidden by renumbering and relinking prevHash", () => {
    const relinked: AuditRecord[] = records.slice(0, 3);
    for (const record of records.slice(4)) {
      const previous = relinked.at(-1) as AuditRecord;
      relinked.push({ ...record, seq: previous.seq + 1, prevHash: previous.hash });
    }
    expect(verifyChain(relinked, keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("detects a deletion re-sealed with a guessed key", () => {
    const forge = createChainSealer({ keys: { "test-key": new Uint8Array(32) }, currentKeyId: "test-key" });
    const resealed: AuditRecord[] = records.slice(0, 3);
    for (const record of records.slice(4)) resealed.push(forge(resealed.at(-1) ?? null, record.event));
    expect(verifyChain(resealed, keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "HASH_MISMATCH" },
    });
  });
});
