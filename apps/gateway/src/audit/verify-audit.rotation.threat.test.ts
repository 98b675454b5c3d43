// Threat: an operator rotated out a leaked audit HMAC key (now in AUDIT_HMAC_RETIRED_KEYS), and its holder keeps sealing records and signing checkpoints that `audit verify` accepts.
import { randomBytes } from "node:crypto";
import {
  type AuditRecord,
  type ChainHead,
  createChainSealer,
  createCheckpoint,
  createMemoryAuditStore,
  deriveCheckpointSigningKey,
} from "@rack-gateway/audit-chain";
import { makeTestEvent } from "@rack-gateway/audit-chain/testing";
import { describe, expect, it } from "vitest";
import { loadOperatorConfig } from "../config/config.js";
import { auditVerificationKeysOf, verifyAuditLog } from "./verify-audit.js";

const leaked = randomBytes(32).toString("hex");
const config = loadOperatorConfig({
  NODE_ENV: "test",
  AUDIT_HMAC_KEY_ID: "k2",
  AUDIT_HMAC_SECRET: randomBytes(32).toString("hex"),
  AUDIT_HMAC_RETIRED_KEYS: `k1=${leaked}`,
  AUDIT_RETIRED_KEY_GRACE_RECORDS: "3",
});
const keys = config.audit.hmacKeys;

/** A store holding one record per letter of `pattern`: "1" sealed with retired k1, "2" with current k2. */
async function storeOf(pattern: string) {
  const store = createMemoryAuditStore();
  for (const keyId of pattern) {
    await store.append(
      [makeTestEvent({ requestId: `r-${keyId}` })],
      createChainSealer({ keys, currentKeyId: `k${keyId}` }),
    );
  }
  return store;
}

describe("audit verify after a key rotation", () => {
  it("refuses records the retired key sealed after the rollout's grace", async () => {
    const store = await storeOf("11222221");
    const result = await verifyAuditLog(store, auditVerificationKeysOf(config));
    expect(result).toMatchObject({ ok: false, seq: 8, reason: { code: "RETIRED_KEY" } });
  });

  it("accepts old and new replicas interleaving during a rolling rotation", async () => {
    const store = await storeOf("1112121222");
    expect(await verifyAuditLog(store, auditVerificationKeysOf(config))).toMatchObject({
      ok: true,
      count: 10,
    });
  });

  it("refuses a checkpoint signed with the retired key's checkpoint key past the bound", async () => {
    const store = await storeOf("112222222");
    const records = await store.list({ limit: 100 });
    const cpK1 = deriveCheckpointSigningKey(keys.k1 as Uint8Array, "cp-k1");
    await store.saveCheckpoint(createCheckpoint({ records, time: new Date(), signingKey: cpK1 }));
    const result = await verifyAuditLog(store, auditVerificationKeysOf(config));
    expect(result).toMatchObject({ ok: false, reason: { code: "RETIRED_KEY" } });
    expect((records.at(-1) as AuditRecord as ChainHead).seq).toBe(9);
  });
});
