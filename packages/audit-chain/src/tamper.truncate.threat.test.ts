// Threat: an attacker deletes the newest audit records (truncates the tail), which the HMAC chain alone cannot reveal.
import { describe, expect, it } from "vitest";
import {
  type AuditRecord,
  type ChainHead,
  createChainSealer,
  createChainVerifier,
  createCheckpoint,
  deriveCheckpointSigningKey,
  exportPublicKey,
  verifyChain,
} from "./index.js";
import { makeTestChain, makeTestEvent, TEST_CHAIN_KEY } from "./testing/index.js";

const signingKey = deriveCheckpointSigningKey(new Uint8Array(32).fill(9), "anchor-1");
const checkpointPublicKeys = { "anchor-1": exportPublicKey(signingKey) };
const time = new Date("2026-05-01T00:00:00.000Z");

describe("threat: truncated audit chain", () => {
  const { records, keys } = makeTestChain({ length: 10 });
  const checkpointAt = (size: number) =>
    createCheckpoint({ records: records.slice(0, size), time, signingKey });

  it("is invisible to the HMAC chain alone (why checkpoints exist)", () => {
    expect(verifyChain(records.slice(0, 7), keys)).toMatchObject({ ok: true, count: 7 });
  });

  it("is detected as TRUNCATED against a signed checkpoint covering more records", () => {
    const result = verifyChain(records.slice(0, 7), keys, {
      checkpoints: [checkpointAt(9)],
      checkpointPublicKeys,
    });
    expect(result).toMatchObject({ ok: false, index: 7, seq: 8, reason: { code: "TRUNCATED" } });
  });

  it("is detected when the whole chain is deleted", () => {
    const result = verifyChain([], keys, { checkpoints: [checkpointAt(3)], checkpointPublicKeys });
    expect(result).toMatchObject({ ok: false, index: 0, seq: 1, reason: { code: "TRUNCATED" } });
  });

  it("passes when the chain reaches every checkpoint, checking each one", () => {
    const result = verifyChain(records, keys, {
      checkpoints: [checkpointAt(10), checkpointAt(0), checkpointAt(4)],
      checkpointPublicKeys,
    });
    expect(result).toMatchObject({ ok: true, count: 10, checkpointsVerified: 3 });
  });

  it("catches a tail rewritten by an attacker holding the HMAC key (but not the checkpoint key)", () => {
    const seal = createChainSealer({ keys: { "test-key": TEST_CHAIN_KEY }, currentKeyId: "test-key" });
    const rewritten: AuditRecord[] = records.slice(0, 6);
    for (let seq = 7; seq <= 10; seq++) {
      rewritten.push(seal(rewritten.at(-1) as ChainHead, makeTestEvent({ requestId: `benign-${seq}` })));
    }
    expect(verifyChain(rewritten, keys)).toMatchObject({ ok: true });
    const result = verifyChain(rewritten, keys, { checkpoints: [checkpointAt(8)], checkpointPublicKeys });
    expect(result).toMatchObject({ ok: false, index: 7, seq: 8, reason: { code: "CHECKPOINT_MISMATCH" } });
  });

  it("catches a rewrite whose chain hash was forced to match via the Merkle root", () => {
    // The attacker copies the genuine chain hash onto a record with a different event: the HMAC fails first.
    const genuine = records[7] as AuditRecord;
    const swapped = [...records.slice(0, 7), { ...genuine, event: makeTestEvent({ requestId: "other" }) }];
    const result = verifyChain(swapped, keys, { checkpoints: [checkpointAt(8)], checkpointPublicKeys });
    expect(result).toMatchObject({ ok: false, index: 7, reason: { code: "HASH_MISMATCH" } });
  });

  it("is detected by the streaming verifier at finish(), and windows are checked against checkpoints", () => {
    const verifier = createChainVerifier(keys, { checkpoints: [checkpointAt(9)], checkpointPublicKeys });
    for (const record of records.slice(0, 8)) expect(verifier.push(record)).toBeNull();
    expect(verifier.finish()).toMatchObject({ ok: false, reason: { code: "TRUNCATED" } });

    const window = verifyChain(records.slice(5, 8), keys, {
      expectedStart: { seq: 5, hash: (records[4] as AuditRecord).hash },
      checkpoints: [checkpointAt(5), checkpointAt(7), checkpointAt(10)],
      checkpointPublicKeys,
    });
    expect(window).toMatchObject({ ok: false, index: 3, seq: 9, reason: { code: "TRUNCATED" } });
  });

  describe("against a head known from outside the database (the shipped log stream)", () => {
    const headAt = (seq: number): ChainHead => ({ seq, hash: (records[seq - 1] as AuditRecord).hash });

    it("is detected as TRUNCATED when the newest records and every checkpoint above them are gone", () => {
      const result = verifyChain(records.slice(0, 7), keys, { expectedHead: headAt(9) });
      expect(result).toMatchObject({ ok: false, index: 7, seq: 8, reason: { code: "TRUNCATED" } });
      if (!result.ok) expect(result.reason.message).toMatch(/records 8\.\.9 are missing/);
    });

    it("passes when the chain reaches the expected head, or goes past it (the stream lags behind)", () => {
      expect(verifyChain(records.slice(0, 9), keys, { expectedHead: headAt(9) })).toMatchObject({ ok: true });
      expect(verifyChain(records, keys, { expectedHead: headAt(9) })).toMatchObject({ ok: true, count: 10 });
    });

    it("catches a tail cut and re-sealed to the same length by someone holding the HMAC key", () => {
      const seal = createChainSealer({ keys: { "test-key": TEST_CHAIN_KEY }, currentKeyId: "test-key" });
      const rewritten: AuditRecord[] = records.slice(0, 6);
      for (let seq = 7; seq <= 10; seq++) {
        rewritten.push(seal(rewritten.at(-1) as ChainHead, makeTestEvent({ requestId: `benign-${seq}` })));
      }
      const result = verifyChain(rewritten, keys, { expectedHead: headAt(9) });
      expect(result).toMatchObject({ ok: false, index: 8, seq: 9, reason: { code: "HEAD_MISMATCH" } });
    });

    it("refuses a malformed expected head at once", () => {
      expect(() => verifyChain(records, keys, { expectedHead: { seq: 9, hash: "abc" } })).toThrow(TypeError);
      expect(() => verifyChain(records, keys, { expectedHead: { seq: -1, hash: "0".repeat(64) } })).toThrow(
        TypeError,
      );
    });
  });
});
