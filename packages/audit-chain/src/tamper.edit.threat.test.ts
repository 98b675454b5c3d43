// Threat: an attacker with database write access edits a stored audit event (or its hash) to hide what they did.
import { describe, expect, it } from "vitest";
import { type AuditRecord, createChainSealer, verifyChain } from "./index.js";
import { makeTestChain } from "./testing/index.js";

const ATTACKER_KEY = new Uint8Array(32).fill(0xee);

function replaceAt(records: readonly AuditRecord[], index: number, record: AuditRecord): AuditRecord[] {
  return records.map((original, i) => (i === index ? record : original));
}

describe("threat: edited audit records", () => {
  const { records, keys } = makeTestChain({ length: 8 });
  const target = records[3] as AuditRecord;

  it.each([
    ["the reason", { ...target.event, reason: "nothing to see here" }],
    ["the decision", { ...target.event, decision: "deny" as const }],
    ["the actor", { ...target.event, actor: { type: "user" as const, email: "someone-else@example.com" } }],
    ["a nested param", { ...target.event, params: { env: ["SECRET=[REDACTED]"] } }],
    ["the status", { ...target.event, status: 500 }],
    ["by adding a schema-valid field", { ...target.event, app: "innocent" }],
    ["by removing an optional field", { ...target.event, path: undefined }],
  ])("detects an edit to %s as HASH_MISMATCH at that record", (_name, event) => {
    const result = verifyChain(replaceAt(records, 3, { ...target, event }), keys);
    expect(result).toMatchObject({ ok: false, index: 3, seq: 4, reason: { code: "HASH_MISMATCH" } });
  });

  it("detects an edited hash, even when the next record's prevHash is edited to match", () => {
    const forgedHash = "ab".repeat(32);
    const edited = replaceAt(records, 3, { ...target, hash: forgedHash });
    expect(verifyChain(edited, keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "HASH_MISMATCH" },
    });
    const relinked = replaceAt(edited, 4, { ...(records[4] as AuditRecord), prevHash: forgedHash });
    expect(verifyChain(relinked, keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("detects an edit re-sealed without the HMAC key (attacker's own key under the real key id)", () => {
    const forge = createChainSealer({ keys: { "test-key": ATTACKER_KEY }, currentKeyId: "test-key" });
    const previous = records[2] as AuditRecord;
    const forged = forge(previous, { ...target.event, reason: "forged" });
    expect(forged.seq).toBe(4);
    const tampered = replaceAt(records, 3, forged);
    expect(verifyChain(tampered, keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "HASH_MISMATCH" },
    });
  });

  it("flags an edit that breaks the schema as INVALID_EVENT", () => {
    const event = { ...target.event, sneaky: "extra" } as unknown as AuditRecord["event"];
    expect(verifyChain(replaceAt(records, 3, { ...target, event }), keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "INVALID_EVENT" },
    });
  });

  it("flags a record whose hash is not 64 lowercase hex digits as MALFORMED_RECORD", () => {
    const upper = replaceAt(records, 3, { ...target, hash: target.hash.toUpperCase() });
    expect(verifyChain(upper, keys)).toMatchObject({
      ok: false,
      index: 3,
      reason: { code: "MALFORMED_RECORD" },
    });
  });

  it("does not mistake storage re-encoding (key order) for tampering", () => {
    const reordered = records.map((record) => ({
      ...record,
      event: Object.fromEntries(Object.entries(record.event).reverse()) as AuditRecord["event"],
    }));
    expect(verifyChain(reordered, keys)).toMatchObject({ ok: true, count: 8 });
  });
});
