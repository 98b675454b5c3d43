// Threat: an attacker reorders audit records to change the apparent sequence of actions (e.g. approval before deploy).
import { describe, expect, it } from "vitest";
import { type AuditRecord, verifyChain } from "./index.js";
import { makeTestChain } from "./testing/index.js";

describe("threat: reordered audit records", () => {
  const { records, keys } = makeTestChain({ length: 8 });
  const swap = (list: readonly AuditRecord[], a: number, b: number): AuditRecord[] =>
    list.map((record, i) => (i === a ? list[b] : i === b ? list[a] : record) as AuditRecord);

  it("detects two swapped records", () => {
    expect(verifyChain(swap(records, 2, 3), keys)).toMatchObject({
      ok: false,
      index: 2,
      seq: 4,
      reason: { code: "SEQ_GAP" },
    });
  });

  it("detects a record moved backwards", () => {
    const moved = [
      ...records.slice(0, 2),
      ...records.slice(3, 6),
      records[2] as AuditRecord,
      ...records.slice(6),
    ];
    expect(verifyChain(moved, keys)).toMatchObject({ ok: false, index: 2, reason: { code: "SEQ_GAP" } });
  });

  it("detects swapped records whose seqs were swapped back into order", () => {
    const swapped = swap(records, 2, 3).map((record, i) => ({ ...record, seq: i + 1 }));
    expect(verifyChain(swapped, keys)).toMatchObject({
      ok: false,
      index: 2,
      reason: { code: "PREV_HASH_MISMATCH" },
    });
  });

  it("detects swapped events under untouched seq, prevHash and hash", () => {
    const swapped = records.map((record, i) => {
      const source = i === 2 ? records[3] : i === 3 ? records[2] : record;
      return { ...record, event: (source as AuditRecord).event };
    });
    expect(verifyChain(swapped, keys)).toMatchObject({
      ok: false,
      index: 2,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("detects a fully reversed chain at the first record", () => {
    expect(verifyChain([...records].reverse(), keys)).toMatchObject({
      ok: false,
      index: 0,
      reason: { code: "SEQ_GAP" },
    });
  });
});
