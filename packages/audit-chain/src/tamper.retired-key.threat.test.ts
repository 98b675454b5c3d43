// Threat: an HMAC key leaked and was rotated out, but kept as a retired key so old records verify; its holder keeps sealing new records and signing checkpoints with it, and verification accepts them.
import { describe, expect, it } from "vitest";
import {
  type AuditRecord,
  type ChainHead,
  createChainSealer,
  createCheckpoint,
  deriveCheckpointSigningKey,
  exportPublicKey,
  type KeyRotation,
  verifyChain,
} from "./index.js";
import { makeTestEvent } from "./testing/index.js";

const k1 = new Uint8Array(32).fill(1); // leaked, then retired
const k2 = new Uint8Array(32).fill(2); // current since the rotation
const keys = { k1, k2 };
const sealK1 = createChainSealer({ keys, currentKeyId: "k1" });
const sealK2 = createChainSealer({ keys, currentKeyId: "k2" });
const cpK1 = deriveCheckpointSigningKey(k1, "cp-k1");
const cpK2 = deriveCheckpointSigningKey(k2, "cp-k2");
const checkpointPublicKeys = { "cp-k1": exportPublicKey(cpK1), "cp-k2": exportPublicKey(cpK2) };
const rotation: KeyRotation = { currentKeyId: "k2", graceRecords: 5, retiredCheckpointKeyIds: ["cp-k1"] };
const time = new Date("2026-05-01T00:00:00.000Z");

/** Seals one record per letter: "1" with k1, "2" with k2. */
function chainOf(pattern: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const key of pattern) {
    const seal = key === "1" ? sealK1 : sealK2;
    records.push(
      seal(
        (records.at(-1) as ChainHead | undefined) ?? null,
        makeTestEvent({ requestId: `r${records.length + 1}` }),
      ),
    );
  }
  return records;
}

describe("threat: a retired HMAC key keeps extending the chain", () => {
  it("is accepted without a rotation rule (why the rule exists)", () => {
    expect(verifyChain(chainOf("111222222221"), keys)).toMatchObject({ ok: true });
  });

  it("refuses a record sealed with the retired key after the grace that follows the current key's first record", () => {
    // k2's first record is seq 4: k1 may seal up to seq 9; the forged record is seq 12.
    const result = verifyChain(chainOf("111222222221"), keys, { keyRotation: rotation });
    expect(result).toMatchObject({ ok: false, seq: 12, reason: { code: "RETIRED_KEY" } });
  });

  it("accepts a rolling rotation: old and new replicas interleave within the grace", () => {
    expect(verifyChain(chainOf("11121212122222"), keys, { keyRotation: rotation })).toMatchObject({
      ok: true,
      count: 14,
    });
  });

  it("accepts a chain that has not reached the current key yet (rotation configured, nothing written since)", () => {
    expect(verifyChain(chainOf("1111111111"), keys, { keyRotation: rotation })).toMatchObject({ ok: true });
  });

  it("refuses a checkpoint signed with the retired key's checkpoint key past the bound", () => {
    const records = chainOf("1112222222222");
    const forged = createCheckpoint({ records: records.slice(0, 12), time, signingKey: cpK1 });
    const result = verifyChain(records, keys, {
      keyRotation: rotation,
      checkpoints: [forged],
      checkpointPublicKeys,
    });
    expect(result).toMatchObject({ ok: false, seq: 12, reason: { code: "RETIRED_KEY" } });
    // The same key's checkpoints from before the rotation, and the current key's, stay valid.
    const genuine = [
      createCheckpoint({ records: records.slice(0, 3), time, signingKey: cpK1 }),
      createCheckpoint({ records: records.slice(0, 8), time, signingKey: cpK1 }),
      createCheckpoint({ records: records.slice(0, 12), time, signingKey: cpK2 }),
    ];
    expect(
      verifyChain(records, keys, { keyRotation: rotation, checkpoints: genuine, checkpointPublicKeys }),
    ).toMatchObject({ ok: true, checkpointsVerified: 3 });
  });

  it("refuses a retired key's forged truncation evidence past the bound too", () => {
    const records = chainOf("1112222");
    const longer = chainOf("111222222222222");
    const forged = createCheckpoint({ records: longer.slice(0, 15), time, signingKey: cpK1 });
    const result = verifyChain(records, keys, {
      keyRotation: rotation,
      checkpoints: [forged],
      checkpointPublicKeys,
    });
    expect(result).toMatchObject({ ok: false, reason: { code: "RETIRED_KEY" } });
  });

  it("applies the bound in a window that starts after the current key's first record, when told where that was", () => {
    const records = chainOf("111222222221");
    const window = verifyChain(records.slice(9), keys, {
      expectedStart: { seq: 9, hash: (records[8] as AuditRecord).hash },
      keyRotation: { ...rotation, currentKeyFirstSeq: 4 },
    });
    expect(window).toMatchObject({ ok: false, seq: 12, reason: { code: "RETIRED_KEY" } });
  });
});
