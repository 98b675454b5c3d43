/** @module @rack-gateway/audit-chain — tamper-evident audit log core */

export { encodeLeafData, hashAuditLeaf, LEAF_DATA_TAG } from "./audit-leaf.js";
export { canonicalizeEvent, canonicalizeJson } from "./canonicalize.js";
export {
  CHAIN_HASH_TAG,
  type ChainSealerOptions,
  createChainSealer,
  GENESIS_HASH,
  MIN_CHAIN_KEY_BYTES,
} from "./chain-hash.js";
export type {
  CheckpointKeyPair,
  CheckpointPublicKey,
  CheckpointSigningKey,
  CheckpointSubject,
  CheckpointVerification,
  CreateCheckpointOptions,
} from "./checkpoint.js";
export {
  CHECKPOINT_KEY_INFO,
  CHECKPOINT_TAG,
  createCheckpoint,
  deriveCheckpointSigningKey,
  encodeCheckpointMessage,
  exportPublicKey,
  importPublicKey,
  verifyCheckpoint,
} from "./checkpoint.js";
export type { AuditActor, AuditDecision, AuditEvent, JsonValue } from "./event.js";
export { auditActorSchema, auditDecisionSchema, auditEventSchema, parseAuditEvent } from "./event.js";
export type { MemoryAuditStorage, MemoryAuditStoreOptions } from "./memory-store.js";
export { createMemoryAuditStorage, createMemoryAuditStore } from "./memory-store.js";
export {
  consistencyProof,
  EMPTY_TREE_HEAD,
  hashChildren,
  hashLeaf,
  inclusionProof,
  merkleTreeHead,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";
export type { MerkleFrontier, MerkleTreeBuilder } from "./merkle-builder.js";
export { assertFrontierFits, createMerkleTreeBuilder } from "./merkle-builder.js";
export type {
  AuditRecord,
  AuditStore,
  ChainHead,
  CheckpointWithFrontier,
  ListAuditRecordsOptions,
  SealFunction,
  SignedCheckpoint,
} from "./store.js";
export type {
  ChainFailure,
  ChainFailureCode,
  ChainSuccess,
  ChainVerification,
  ChainVerifier,
  KeyRotation,
  VerifyChainOptions,
  VerifyStoredChainOptions,
} from "./verify.js";
export { createChainVerifier, verifyChain, verifyStoredChain } from "./verify.js";
export type { AppendOptions, AuditWriter, AuditWriterOptions } from "./writer.js";
export { AuditWriteError, createAuditWriter } from "./writer.js";
