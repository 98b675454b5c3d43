/**
 * Verifying the stored audit log: recompute the whole HMAC chain and check every signed Merkle checkpoint
 * against it. One function for the operator's `audit verify` and the admin API's `POST /api/v1/audit/verify`.
 */
import {
  type AuditStore,
  type ChainHead,
  type ChainVerification,
  type CheckpointPublicKey,
  deriveCheckpointSigningKey,
  type KeyRotation,
  verifyStoredChain,
} from "@rack-gateway/audit-chain";
import type { GatewayConfig } from "../config/config.js";

/** What verification needs: the chain's HMAC keys by id and the checkpoints' public keys by signing key id. */
export interface AuditVerificationKeys {
  readonly hmacKeys: Readonly<Record<string, Uint8Array>>;
  readonly checkpointPublicKeys: Readonly<Record<string, CheckpointPublicKey>>;
  /** What the retired keys (and their checkpoint keys) may still sign: see docs/audit-log.md, key rotation. */
  readonly keyRotation: KeyRotation;
}

/**
 * The keys from the configuration. Checkpoint keys are derived from each HMAC key (`cp-<key id>`, as the
 * checkpointer signs them), so checkpoints signed before a key rotation still verify.
 */
export function auditVerificationKeysOf(config: Pick<GatewayConfig, "audit">): AuditVerificationKeys {
  const checkpointPublicKeys: Record<string, CheckpointPublicKey> = {};
  const retiredCheckpointKeyIds: string[] = [];
  for (const [keyId, secret] of Object.entries(config.audit.hmacKeys)) {
    const derived = deriveCheckpointSigningKey(secret, `cp-${keyId}`);
    checkpointPublicKeys[derived.keyId] = derived.publicKey;
    if (keyId !== config.audit.hmacKeyId) retiredCheckpointKeyIds.push(derived.keyId);
  }
  return {
    hmacKeys: config.audit.hmacKeys,
    checkpointPublicKeys,
    keyRotation: {
      currentKeyId: config.audit.hmacKeyId,
      graceRecords: config.audit.retiredKeyGraceRecords,
      retiredCheckpointKeyIds,
    },
  };
}

/**
 * Parses `<seq>:<hash>` (the `seq` and `hash` of a shipped stdout line) into a head; null when malformed.
 *
 * @example parseExpectedHead("1234:9f86d0…") // { seq: 1234, hash: "9f86d0…" }
 */
export function parseExpectedHead(text: string): ChainHead | null {
  const match = /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (!match) return null;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) ? { seq, hash: match[2] as string } : null;
}

/**
 * Verifies every stored record from seq 1 and every stored checkpoint, and — given `expectedHead` from outside
 * the database — that the chain reaches it unchanged. A broken chain is a value, not a throw.
 */
export async function verifyAuditLog(
  store: AuditStore,
  keys: AuditVerificationKeys,
  options: { readonly expectedHead?: ChainHead } = {},
): Promise<ChainVerification> {
  const checkpoints = await store.listCheckpoints();
  return verifyStoredChain(store, keys.hmacKeys, {
    checkpoints,
    checkpointPublicKeys: keys.checkpointPublicKeys,
    keyRotation: keys.keyRotation,
    ...(options.expectedHead === undefined ? {} : { expectedHead: options.expectedHead }),
  });
}
