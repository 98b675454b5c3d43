/**
 * The storage port. The chain's integrity does not depend on the store (verification recomputes every
 * hash), but its *linearity* does: `append` must serialize concurrent writers so that every record's
 * `prevHash` is the hash of the record before it.
 */

import type { AuditEvent } from "./event.js";
import type { MerkleFrontier } from "./merkle-builder.js";

/** One sealed link of the chain. Hashes are lowercase hex. `seq` starts at 1 and has no gaps. */
export interface AuditRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly keyId: string;
  readonly hash: string;
  readonly event: AuditEvent;
}

/** The last link: what the next record chains onto. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Seals one event onto `previous` (null for the first record). Pure; provided by `createChainSealer`. It
 * throws (TypeError) for an event that fails the schema; the store must then persist nothing of the batch.
 */
export type SealFunction = (previous: ChainHead | null, event: AuditEvent) => AuditRecord;

/** A signed Merkle checkpoint over records 1..treeSize (RFC 9162 tree hashing, Ed25519 signature). */
export interface SignedCheckpoint {
  readonly treeSize: number;
  /** Merkle tree head over the first `treeSize` records, hex. */
  readonly rootHash: string;
  /** Chain hash of record `treeSize`, hex: ties the Merkle tree to the HMAC chain. */
  readonly chainHash: string;
  /** ISO-8601 time the checkpoint was made. */
  readonly time: string;
  /** Identifies the Ed25519 key that signed it. */
  readonly signingKeyId: string;
  /** Ed25519 signature over the checkpoint's canonical encoding, base64url. */
  readonly signature: string;
}

export interface ListAuditRecordsOptions {
  /** Return records with seq > afterSeq (default 0: from the start). */
  readonly afterSeq?: number;
  /** Maximum records to return (required: stores never load an unbounded chain in one call). */
  readonly limit: number;
}

export interface AuditStore {
  /**
   * Appends `events` in order as one atomic batch: reads the current head, seals each event onto it with
   * `seal`, and persists all records before resolving — or none of them (the promise rejects). Concurrent
   * calls, from this process or another sharing the same database, must be serialized. An empty `events`
   * array resolves to `[]` and changes nothing. Events must round-trip exactly, including U+0000 inside
   * strings (PostgreSQL `jsonb` rejects `\u0000`: store the canonical JSON as `text`, or use `json`).
   */
  append(events: readonly AuditEvent[], seal: SealFunction): Promise<AuditRecord[]>;
  /** The last record's seq and hash, or null for an empty chain. */
  head(): Promise<ChainHead | null>;
  /** Records in ascending seq order. */
  list(options: ListAuditRecordsOptions): Promise<AuditRecord[]>;
  /** Number of records in the chain. */
  count(): Promise<number>;
  /**
   * Saves a signed checkpoint. A checkpointer passes the Merkle frontier it was made from (its size equals
   * `treeSize`); a store that implements `latestCheckpointFrontier` keeps it, others may ignore it.
   */
  saveCheckpoint(checkpoint: SignedCheckpoint, frontier?: MerkleFrontier): Promise<void>;
  /** All checkpoints in ascending treeSize order. */
  listCheckpoints(): Promise<SignedCheckpoint[]>;
  /**
   * Optional: the checkpoint with the largest treeSize among those saved with a frontier, and that frontier;
   * null when there is none. A restarted checkpointer resumes its tree from it instead of reading and hashing
   * every record. The frontier is not signed: use it only after checking that it folds to the checkpoint's
   * signed root (the gateway's checkpointer does).
   */
  latestCheckpointFrontier?(): Promise<CheckpointWithFrontier | null>;
}

/** A checkpoint and the Merkle frontier (right edge of the tree) it was made from. */
export interface CheckpointWithFrontier {
  readonly checkpoint: SignedCheckpoint;
  readonly frontier: MerkleFrontier;
}
