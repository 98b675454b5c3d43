/**
 * Chain verification: recomputes every HMAC, checks seq continuity and prevHash links, and reconciles the
 * records with signed checkpoints to catch a truncated tail. Streaming, so `audit verify` over millions of
 * rows holds O(log n) state.
 */
import { hashAuditLeafFromCanonical } from "./audit-leaf.js";
import { encodeHex, isHash32Hex } from "./bytes.js";
import { canonicalizeEvent } from "./canonicalize.js";
import { computeChainHash, GENESIS_HASH, prepareChainKeys } from "./chain-hash.js";
import { type CheckpointPublicKey, verifyCheckpoint } from "./checkpoint.js";
import { auditEventSchema } from "./event.js";
import { createMerkleTreeBuilder, type MerkleTreeBuilder } from "./merkle-builder.js";
import type { AuditRecord, AuditStore, ChainHead, SignedCheckpoint } from "./store.js";

/**
 * Why verification failed. Stable codes:
 * - `MALFORMED_RECORD`: a record lacks a valid seq, hash, prevHash, keyId or event object.
 * - `INVALID_EVENT`: the event fails the schema or has no canonical JSON form.
 * - `SEQ_GAP`: seq jumped forward: records were deleted.
 * - `SEQ_OUT_OF_ORDER`: seq repeated or went backward: a record was duplicated, inserted or reordered.
 * - `PREV_HASH_MISMATCH`: the record does not chain onto the one before it.
 * - `UNKNOWN_KEY_ID`: no HMAC key for the record's keyId.
 * - `HASH_MISMATCH`: the recomputed HMAC differs: the event, hash, seq or keyId was edited.
 * - `CHECKPOINT_INVALID`: a checkpoint is malformed, signed by an unknown key, or badly signed.
 * - `CHECKPOINT_MISMATCH`: a validly signed checkpoint disagrees with the records (root or chain hash).
 * - `TRUNCATED`: a validly signed checkpoint, or the `expectedHead`, covers more records than the chain holds.
 * - `HEAD_MISMATCH`: the record at `expectedHead.seq` has another hash: history up to it was rewritten.
 * - `RETIRED_KEY`: with `keyRotation`, a record or checkpoint signed with a retired key past its bound.
 */
export type ChainFailureCode =
  | "MALFORMED_RECORD"
  | "INVALID_EVENT"
  | "SEQ_GAP"
  | "SEQ_OUT_OF_ORDER"
  | "PREV_HASH_MISMATCH"
  | "UNKNOWN_KEY_ID"
  | "HASH_MISMATCH"
  | "CHECKPOINT_INVALID"
  | "CHECKPOINT_MISMATCH"
  | "TRUNCATED"
  | "HEAD_MISMATCH"
  | "RETIRED_KEY";

export interface ChainFailure {
  readonly ok: false;
  /** Position in the verified input (0 = first record passed); for TRUNCATED, the number of records seen. */
  readonly index: number;
  /** The seq concerned, when known: the record's seq, or for TRUNCATED the first missing seq. */
  readonly seq?: number;
  readonly reason: { readonly code: ChainFailureCode; readonly message: string };
}

export interface ChainSuccess {
  readonly ok: true;
  /** The last record verified (or `expectedStart`, or null for an empty chain). */
  readonly head: ChainHead | null;
  /** Number of records verified. */
  readonly count: number;
  /** Number of checkpoints whose signature and contents were checked against the records. */
  readonly checkpointsVerified: number;
}

export type ChainVerification = ChainSuccess | ChainFailure;

export interface VerifyChainOptions {
  /**
   * The head the first record chains onto, to verify a window (records from seq `expectedStart.seq + 1`).
   * Merkle roots need every leaf from seq 1, so in a window checkpoints are checked by signature, chain hash
   * and tree size only.
   */
  readonly expectedStart?: ChainHead;
  /** Trusted checkpoints (e.g. from a WORM anchor); any order. */
  readonly checkpoints?: readonly SignedCheckpoint[];
  /** Public keys by signing key id; required when `checkpoints` is non-empty. */
  readonly checkpointPublicKeys?: Readonly<Record<string, CheckpointPublicKey>>;
  /**
   * A head known from outside the database (e.g. the last line of the shipped log stream): the chain must reach
   * `seq` (else TRUNCATED) with exactly this hash there (else HEAD_MISMATCH). It may go on past it. Unlike a
   * checkpoint it needs no key: the reference is trusted because of where it was kept.
   */
  readonly expectedHead?: ChainHead;
  /** Bounds what retired keys may still sign; without it every key is valid at every seq. */
  readonly keyRotation?: KeyRotation;
}

/**
 * Every HMAC key but `currentKeyId` is retired. A record sealed with a retired key is accepted only up to
 * `graceRecords` records after the first record sealed with the current key: replicas still on the old key
 * interleave with the new ones during a rolling rotation, and after that a leaked retired key can no longer extend
 * the chain. A checkpoint signed with one of `retiredCheckpointKeyIds` is accepted only up to the same bound.
 */
export interface KeyRotation {
  readonly currentKeyId: string;
  readonly graceRecords: number;
  readonly retiredCheckpointKeyIds?: readonly string[];
  /** The seq of the first record sealed with the current key, when it lies before a verified window. */
  readonly currentKeyFirstSeq?: number;
}

export interface ChainVerifier {
  /** Verifies the next record; returns the failure (and keeps returning it) once the chain is broken. */
  push(record: AuditRecord): ChainFailure | null;
  /** Settles the remaining checkpoints (truncation) and returns the verdict. */
  finish(): ChainVerification;
}

/**
 * Creates a streaming verifier. Push records in seq order, then call `finish()`.
 *
 * @example
 * const verifier = createChainVerifier({ k1: hmacKey }, { checkpoints, checkpointPublicKeys });
 * for await (const page of pages) for (const record of page) if (verifier.push(record)) break;
 * const result = verifier.finish();
 */
export function createChainVerifier(
  keys: Readonly<Record<string, Uint8Array>>,
  options: VerifyChainOptions = {},
): ChainVerifier {
  const preparedKeys = prepareChainKeys(keys);
  const start = options.expectedStart;
  if (
    start !== undefined &&
    (!Number.isSafeInteger(start.seq) || start.seq < 0 || !isHash32Hex(start.hash))
  ) {
    throw new TypeError("expectedStart must be { seq: non-negative integer, hash: 64 lowercase hex digits }");
  }
  const expectedHead = options.expectedHead;
  if (
    expectedHead !== undefined &&
    (!Number.isSafeInteger(expectedHead.seq) ||
      expectedHead.seq < (start?.seq ?? 0) ||
      !isHash32Hex(expectedHead.hash))
  ) {
    throw new TypeError(
      "expectedHead must be { seq: integer ≥ the window's start, hash: 64 lowercase hex digits }",
    );
  }
  const rotation = options.keyRotation;
  if (rotation !== undefined && (!Number.isSafeInteger(rotation.graceRecords) || rotation.graceRecords < 0)) {
    throw new TypeError("keyRotation.graceRecords must be a whole number of records ≥ 0");
  }
  const retiredCheckpointKeys = new Set(rotation?.retiredCheckpointKeyIds ?? []);
  let currentKeyFirstSeq = rotation?.currentKeyFirstSeq;
  // The last seq a retired key may sign; unbounded until the current key has sealed a record.
  const retiredBound = () =>
    rotation === undefined || currentKeyFirstSeq === undefined
      ? Number.POSITIVE_INFINITY
      : currentKeyFirstSeq + rotation.graceRecords;
  const retiredCheckpointMessage = (cp: SignedCheckpoint) =>
    retiredCheckpointKeys.has(cp.signingKeyId) && cp.treeSize > retiredBound()
      ? `checkpoint ${cp.treeSize} is signed with retired key "${cp.signingKeyId}", valid only up to seq ${retiredBound()}`
      : null;
  const checkpoints = [...(options.checkpoints ?? [])].sort((a, b) => a.treeSize - b.treeSize);
  const publicKeys = options.checkpointPublicKeys;
  if (checkpoints.length > 0 && publicKeys === undefined) {
    throw new TypeError(
      "pass checkpointPublicKeys to verify checkpoints: an unsigned checkpoint proves nothing",
    );
  }
  const startSeq = start?.seq ?? 0;
  const tree: MerkleTreeBuilder | null =
    checkpoints.length > 0 && startSeq === 0 ? createMerkleTreeBuilder() : null;
  let lastSeq = startSeq;
  let lastHash = start?.hash ?? GENESIS_HASH;
  let count = 0;
  let nextCheckpoint = 0;
  let verifiedCheckpoints = 0;
  let started = false;
  let failure: ChainFailure | null = null;

  const fail = (code: ChainFailureCode, message: string, seq?: number, index = count): ChainFailure => {
    failure = { ok: false, index, ...(seq === undefined ? {} : { seq }), reason: { code, message } };
    return failure;
  };

  // Checks every checkpoint with treeSize ≤ lastSeq against the current head (or, below a window's start,
  // by signature alone). Failures point at the last record verified.
  const settleCheckpoints = (): ChainFailure | null => {
    const index = Math.max(count - 1, 0);
    for (let cp = checkpoints[nextCheckpoint]; cp !== undefined && cp.treeSize <= lastSeq; ) {
      const signature = verifyCheckpoint(cp, publicKeys ?? {});
      if (!signature.ok) return fail("CHECKPOINT_INVALID", signature.reason.message, cp.treeSize, index);
      const retired = retiredCheckpointMessage(cp);
      if (retired !== null) return fail("RETIRED_KEY", retired, cp.treeSize, index);
      if (cp.treeSize === lastSeq) {
        if (cp.chainHash !== lastHash) {
          const message = `checkpoint chainHash differs from the chain at seq ${lastSeq}`;
          return fail("CHECKPOINT_MISMATCH", message, lastSeq, index);
        }
        // A treeSize-0 checkpoint must commit to the empty tree, which an empty builder's root is.
        if (tree !== null && encodeHex(tree.rootHash()) !== cp.rootHash) {
          return fail(
            "CHECKPOINT_MISMATCH",
            `checkpoint root differs from records 1..${lastSeq}`,
            lastSeq,
            index,
          );
        }
        verifiedCheckpoints++;
      }
      nextCheckpoint++;
      cp = checkpoints[nextCheckpoint];
    }
    return null;
  };

  const checkRecord = (record: AuditRecord): ChainFailure | null => {
    if (!isRecordShaped(record))
      return fail("MALFORMED_RECORD", "record lacks a valid seq, hashes, keyId or event");
    const expectedSeq = lastSeq + 1;
    if (record.seq > expectedSeq) {
      return fail(
        "SEQ_GAP",
        `expected seq ${expectedSeq}, found ${record.seq}: records are missing`,
        record.seq,
      );
    }
    if (record.seq < expectedSeq) {
      const message = `expected seq ${expectedSeq}, found ${record.seq}: a record was duplicated, inserted or reordered`;
      return fail("SEQ_OUT_OF_ORDER", message, record.seq);
    }
    if (record.prevHash !== lastHash) {
      return fail(
        "PREV_HASH_MISMATCH",
        `record ${record.seq} does not chain onto record ${lastSeq}`,
        record.seq,
      );
    }
    const key = preparedKeys.get(record.keyId);
    if (key === undefined)
      return fail("UNKNOWN_KEY_ID", `no HMAC key for keyId "${record.keyId}"`, record.seq);
    const parsed = auditEventSchema.safeParse(record.event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = `event fails the schema at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`;
      return fail("INVALID_EVENT", message, record.seq);
    }
    let canonical: string;
    try {
      canonical = canonicalizeEvent(record.event);
    } catch (error) {
      return fail("INVALID_EVENT", `event has no canonical form: ${(error as Error).message}`, record.seq);
    }
    if (computeChainHash(key, record, canonical) !== record.hash) {
      return fail("HASH_MISMATCH", `record ${record.seq}'s HMAC does not match its contents`, record.seq);
    }
    if (rotation !== undefined) {
      if (record.keyId === rotation.currentKeyId) currentKeyFirstSeq ??= record.seq;
      else if (record.seq > retiredBound()) {
        const message = `record ${record.seq} is sealed with retired key "${record.keyId}", valid only up to seq ${retiredBound()} (${rotation.graceRecords} records after the current key's first)`;
        return fail("RETIRED_KEY", message, record.seq);
      }
    }
    if (expectedHead !== undefined && record.seq === expectedHead.seq && record.hash !== expectedHead.hash) {
      const message = `record ${record.seq}'s hash differs from the expected head's: the chain up to it was rewritten`;
      return fail("HEAD_MISMATCH", message, record.seq);
    }
    tree?.push(hashAuditLeafFromCanonical(record.seq, record.hash, canonical));
    lastSeq = record.seq;
    lastHash = record.hash;
    count++;
    return settleCheckpoints();
  };

  const begin = (): ChainFailure | null => {
    if (started) return failure;
    started = true;
    if (expectedHead !== undefined && start !== undefined && expectedHead.seq === start.seq) {
      if (expectedHead.hash !== start.hash) {
        return fail(
          "HEAD_MISMATCH",
          `the window starts at seq ${start.seq} with another hash than the expected head`,
          start.seq,
        );
      }
    }
    return settleCheckpoints();
  };

  return {
    push(record) {
      return begin() ?? failure ?? checkRecord(record);
    },
    finish() {
      const early = begin() ?? failure;
      if (early !== null) return early;
      const pending = checkpoints[nextCheckpoint];
      if (pending !== undefined) {
        // Any later checkpoint must first prove itself genuine; a forged one is not evidence of truncation.
        for (const cp of checkpoints.slice(nextCheckpoint)) {
          const signature = verifyCheckpoint(cp, publicKeys ?? {});
          if (!signature.ok) return fail("CHECKPOINT_INVALID", signature.reason.message, cp.treeSize);
          const retired = retiredCheckpointMessage(cp);
          if (retired !== null) return fail("RETIRED_KEY", retired, cp.treeSize);
        }
        const message = `a signed checkpoint covers ${pending.treeSize} records but the chain ends at seq ${lastSeq}`;
        return fail("TRUNCATED", message, lastSeq + 1);
      }
      if (expectedHead !== undefined && lastSeq < expectedHead.seq) {
        const message = `the expected head is seq ${expectedHead.seq} but the chain ends at seq ${lastSeq}: records ${lastSeq + 1}..${expectedHead.seq} are missing`;
        return fail("TRUNCATED", message, lastSeq + 1);
      }
      const head = lastSeq === 0 && start === undefined ? null : { seq: lastSeq, hash: lastHash };
      return { ok: true, head, count, checkpointsVerified: verifiedCheckpoints };
    },
  };
}

/**
 * Verifies records in seq order (an array or any iterable). Stops at the first failure.
 *
 * @example
 * const result = verifyChain(records, { k1: hmacKey });
 * if (!result.ok) console.error(result.index, result.reason.code, result.reason.message);
 */
export function verifyChain(
  records: Iterable<AuditRecord>,
  keys: Readonly<Record<string, Uint8Array>>,
  options: VerifyChainOptions = {},
): ChainVerification {
  const verifier = createChainVerifier(keys, options);
  for (const record of records) {
    const failure = verifier.push(record);
    if (failure !== null) return failure;
  }
  return verifier.finish();
}

export interface VerifyStoredChainOptions extends VerifyChainOptions {
  /** Records fetched per `store.list` call (default 1000). */
  readonly pageSize?: number;
}

/**
 * Pages through a store (from `expectedStart.seq`, or from the beginning) and verifies it, holding one page
 * in memory at a time. Store I/O errors propagate.
 */
export async function verifyStoredChain(
  store: AuditStore,
  keys: Readonly<Record<string, Uint8Array>>,
  options: VerifyStoredChainOptions = {},
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1)
    throw new RangeError("pageSize must be a positive integer");
  const verifier = createChainVerifier(keys, options);
  let afterSeq = options.expectedStart?.seq ?? 0;
  for (;;) {
    const page = await store.list({ afterSeq, limit: pageSize });
    for (const record of page) {
      const failure = verifier.push(record);
      if (failure !== null) return failure;
    }
    const last = page.at(-1);
    if (page.length < pageSize || last === undefined) return verifier.finish();
    afterSeq = last.seq;
  }
}

function isRecordShaped(record: unknown): record is AuditRecord {
  if (typeof record !== "object" || record === null) return false;
  const r = record as Record<string, unknown>;
  return (
    typeof r.seq === "number" &&
    Number.isSafeInteger(r.seq) &&
    r.seq >= 1 &&
    isHash32Hex(r.prevHash) &&
    isHash32Hex(r.hash) &&
    typeof r.keyId === "string" &&
    typeof r.event === "object" &&
    r.event !== null
  );
}
