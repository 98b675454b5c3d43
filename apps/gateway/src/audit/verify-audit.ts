/**
 * Verifying the stored audit log: recompute the whole HMAC chain and check every signed Merkle checkpoint
 * against it. One function for the operator's `audit verify` and the admin API's `POST /api/v1/audit/verify`.
 */
import {
  type AuditStore,
  type ChainVerification,
  type CheckpointPublicKey,
  deriveCheckpointSigningKey,
  verifyStoredChain,
} from "@rack-gateway/audit-chain";
import type { GatewayConfig } from "../config/config.js";

/** What verification needs: the chain's HMAC keys by id and the checkpoints' public keys by signing key id. */
export interface AuditVerificationKeys {
  readonly hmacKeys: Readonly<Record<string, Uint8Array>>;
  readonly checkpointPublicKeys: Readonly<Record<string, CheckpointPublicKey>>;
}

/**
 * The keys from the configuration. Checkpoint keys are derived from each HMAC key (`cp-<key id>`, as the
 * checkpointer signs them), so checkpoints signed before a key rotation still verify.
 */
export function auditVerificationKeysOf(config: Pick<GatewayConfig, "audit">): AuditVerificationKeys {
  const checkpointPublicKeys: Record<string, CheckpointPublicKey> = {};
  for (const [keyId, secret] of Object.entries(config.audit.hmacKeys)) {
    const derived = deriveCheckpointSigningKey(secret, `cp-${keyId}`);
    checkpointPublicKeys[derived.keyId] = derived.publicKey;
  }
  return { hmacKeys: config.audit.hmacKeys, checkpointPublicKeys };
}

/** Verifies every stored record from seq 1 and every stored checkpoint. A broken chain is a value, not a throw. */
export async function verifyAuditLog(
  store: AuditStore,
  keys: AuditVerificationKeys,
): Promise<ChainVerification> {
  const checkpoints = await store.listCheckpoints();
  return verifyStoredChain(store, keys.hmacKeys, {
    checkpoints,
    checkpointPublicKeys: keys.checkpointPublicKeys,
  });
}
