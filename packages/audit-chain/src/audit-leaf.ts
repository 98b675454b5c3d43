/**
 * Merkle leaves for audit records: leafData = frame(tag, u64 seq, chain hash, canonical event). An auditor
 * recomputes them from the records alone, without the HMAC key.
 */
import { hash as oneShotHash } from "node:crypto";
import { encodeUtf8, frameRecordFields } from "./bytes.js";
import { canonicalizeEvent } from "./canonicalize.js";
import type { AuditRecord } from "./store.js";

/** Domain-separation tag heading every leaf's data. */
export const LEAF_DATA_TAG = "rack-gateway/audit-chain/leaf/v1";

const TAG_BYTES = encodeUtf8(LEAF_DATA_TAG);
/** RFC 9162 §2.1.1: a leaf hash is SHA-256(0x00 ‖ leaf data). */
const LEAF_PREFIX_BYTE = 0x00;

/** The bytes a record contributes to the Merkle tree (before the RFC 9162 0x00 leaf prefix). */
export function encodeLeafData(record: Pick<AuditRecord, "seq" | "hash" | "event">): Uint8Array {
  return encodeLeafDataFromCanonical(record.seq, record.hash, canonicalizeEvent(record.event));
}

/** The RFC 9162 leaf hash of a record: SHA-256(0x00 ‖ encodeLeafData(record)). */
export function hashAuditLeaf(record: Pick<AuditRecord, "seq" | "hash" | "event">): Uint8Array {
  return hashAuditLeafFromCanonical(record.seq, record.hash, canonicalizeEvent(record.event));
}

/** `hashAuditLeaf` for a record whose event's canonical text is at hand: one buffer, one hash call. */
export function hashAuditLeafFromCanonical(seq: number, hash: string, canonicalEvent: string): Uint8Array {
  return new Uint8Array(
    oneShotHash("sha256", frameLeaf(seq, hash, canonicalEvent, LEAF_PREFIX_BYTE), "buffer"),
  );
}

export function encodeLeafDataFromCanonical(seq: number, hash: string, canonicalEvent: string): Uint8Array {
  return new Uint8Array(frameLeaf(seq, hash, canonicalEvent));
}

function frameLeaf(seq: number, hash: string, canonicalEvent: string, leadingByte?: number): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new TypeError(`seq must be a positive integer, got ${seq}`);
  return frameRecordFields(TAG_BYTES, seq, hash, "hash", [canonicalEvent], leadingByte);
}
