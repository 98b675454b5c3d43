/**
 * Signed checkpoints: an Ed25519 signature over (treeSize, RFC 9162 root, chain hash, time, key id), so an
 * auditor holding only the public key can prove which records existed at a point in time.
 */
import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject, sign, verify } from "node:crypto";
import { hashAuditLeaf } from "./audit-leaf.js";
import {
  decodeBase64Url,
  decodeHash32Hex,
  encodeBase64Url,
  encodeHex,
  encodeU64,
  encodeUtf8,
  frameFields,
  isHash32Hex,
} from "./bytes.js";
import { GENESIS_HASH } from "./chain-hash.js";
import { merkleTreeHead } from "./merkle.js";
import type { AuditRecord, ChainHead, SignedCheckpoint } from "./store.js";

/** Domain-separation tag heading every signed checkpoint message. */
export const CHECKPOINT_TAG = "rack-gateway/audit-chain/checkpoint/v1";

/** HKDF-SHA256 `info` used by `deriveCheckpointSigningKey`. */
export const CHECKPOINT_KEY_INFO = "rack-gateway audit checkpoint signing v1";

// DER headers that turn raw Ed25519 bytes into PKCS#8 / SPKI (RFC 8410 §7 and §4).
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The key a checkpoint is signed with: a private Ed25519 KeyObject or a raw 32-byte Ed25519 seed. */
export interface CheckpointSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject | Uint8Array;
}

/** An Ed25519 key pair for checkpoints, as returned by `deriveCheckpointSigningKey`. */
export interface CheckpointKeyPair {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A public key for `verifyCheckpoint`: a KeyObject, 32 raw bytes, or those bytes as hex or base64url. */
export type CheckpointPublicKey = KeyObject | Uint8Array | string;

/** What a checkpoint covers: every record from seq 1, leaf hashes plus the last record, or a built tree. */
export type CheckpointSubject =
  | { readonly records: readonly AuditRecord[] }
  | { readonly leafHashes: readonly Uint8Array[]; readonly head: ChainHead | null }
  | { readonly treeSize: number; readonly rootHash: Uint8Array; readonly chainHash: string };

export type CreateCheckpointOptions = CheckpointSubject & {
  /** When the checkpoint is made (passed in: libraries never read the clock). */
  readonly time: Date;
  readonly signingKey: CheckpointSigningKey;
};

export type CheckpointVerification =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: {
        readonly code: "MALFORMED_CHECKPOINT" | "UNKNOWN_SIGNING_KEY" | "BAD_SIGNATURE";
        readonly message: string;
      };
    };

/**
 * Builds and signs a checkpoint over records 1..treeSize. It does not check the HMAC chain: verify the
 * records (`verifyChain`) before you vouch for them. TypeError/RangeError on inconsistent input.
 *
 * @example
 * const key = deriveCheckpointSigningKey(hmacSecret, "cp1");
 * const checkpoint = createCheckpoint({ records, time: new Date(now()), signingKey: key });
 */
export function createCheckpoint(options: CreateCheckpointOptions): SignedCheckpoint {
  const { treeSize, rootHash, chainHash } = resolveSubject(options);
  const { time, signingKey } = options;
  if (!(time instanceof Date) || Number.isNaN(time.getTime()))
    throw new TypeError("time must be a valid Date");
  if (typeof signingKey?.keyId !== "string" || signingKey.keyId.length === 0) {
    throw new TypeError("signingKey.keyId must be a non-empty string");
  }
  const unsigned = {
    treeSize,
    rootHash: encodeHex(rootHash),
    chainHash,
    time: time.toISOString(),
    signingKeyId: signingKey.keyId,
  };
  const signature = sign(null, encodeCheckpointMessage(unsigned), importPrivateKey(signingKey.privateKey));
  return { ...unsigned, signature: encodeBase64Url(signature) };
}

/**
 * Checks a checkpoint's shape and Ed25519 signature against `publicKeys[checkpoint.signingKeyId]`. Needs no
 * HMAC secret. Whether the checkpoint matches the records is `verifyChain`'s job (`options.checkpoints`).
 */
export function verifyCheckpoint(
  checkpoint: SignedCheckpoint,
  publicKeys: Readonly<Record<string, CheckpointPublicKey>>,
): CheckpointVerification {
  const problem = describeMalformedCheckpoint(checkpoint);
  if (problem !== null) return fail("MALFORMED_CHECKPOINT", problem);
  const raw = Object.hasOwn(publicKeys, checkpoint.signingKeyId)
    ? publicKeys[checkpoint.signingKeyId]
    : undefined;
  if (raw === undefined) {
    return fail(
      "UNKNOWN_SIGNING_KEY",
      `no public key for checkpoint signing key "${checkpoint.signingKeyId}"`,
    );
  }
  const signature = decodeBase64Url(checkpoint.signature);
  if (signature === null || signature.byteLength !== 64) {
    return fail("MALFORMED_CHECKPOINT", "signature must be 64 bytes, base64url without padding");
  }
  const valid = verify(null, encodeCheckpointMessage(checkpoint), importPublicKey(raw), signature);
  return valid
    ? { ok: true }
    : fail("BAD_SIGNATURE", `checkpoint at treeSize ${checkpoint.treeSize} has a bad signature`);
}

/**
 * Derives an Ed25519 checkpoint key pair from the audit HMAC secret with HKDF-SHA256 (salt = key id,
 * info = `CHECKPOINT_KEY_INFO`), so the gateway needs no extra configuration. Anyone holding the secret
 * can sign checkpoints too: for separation of duties, pass an independent secret or an offline key.
 */
export function deriveCheckpointSigningKey(secret: Uint8Array, keyId: string): CheckpointKeyPair {
  if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
    throw new TypeError("secret must be a Uint8Array of at least 32 bytes");
  }
  if (typeof keyId !== "string" || keyId.length === 0)
    throw new TypeError("keyId must be a non-empty string");
  const seed = new Uint8Array(hkdfSync("sha256", secret, encodeUtf8(keyId), CHECKPOINT_KEY_INFO, 32));
  const privateKey = importPrivateKey(seed);
  return { keyId, privateKey, publicKey: createPublicKey(privateKey) };
}

/** The raw 32-byte Ed25519 public key as base64url (default) or hex, for auditors and anchors. */
export function exportPublicKey(
  key: KeyObject | CheckpointKeyPair,
  encoding: "base64url" | "hex" = "base64url",
): string {
  const keyObject = "keyId" in key ? key.publicKey : key;
  const publicKey = keyObject.type === "private" ? createPublicKey(keyObject) : keyObject;
  if (publicKey.asymmetricKeyType !== "ed25519")
    throw new TypeError("exportPublicKey expects an Ed25519 key");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_ED25519_PREFIX.length);
  return encoding === "hex" ? raw.toString("hex") : raw.toString("base64url");
}

/** Imports an Ed25519 public key from a KeyObject, 32 raw bytes, 64 hex digits or 43 base64url characters. */
export function importPublicKey(key: CheckpointPublicKey): KeyObject {
  if (typeof key === "string") {
    const raw = isHash32Hex(key) ? decodeHash32Hex(key, "public key") : decodeBase64Url(key);
    if (raw === null)
      throw new TypeError("a public key string must be 64 hex digits or 43 base64url characters");
    return importPublicKey(raw);
  }
  if (key instanceof Uint8Array) {
    if (key.byteLength !== 32) throw new TypeError("a raw Ed25519 public key is 32 bytes");
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, key]), format: "der", type: "spki" });
  }
  if (key?.asymmetricKeyType !== "ed25519") throw new TypeError("checkpoint keys must be Ed25519");
  return key.type === "private" ? createPublicKey(key) : key;
}

/** The exact bytes an Ed25519 checkpoint signature covers. */
export function encodeCheckpointMessage(checkpoint: Omit<SignedCheckpoint, "signature">): Uint8Array {
  return frameFields([
    encodeUtf8(CHECKPOINT_TAG),
    encodeU64(checkpoint.treeSize),
    decodeHash32Hex(checkpoint.rootHash, "rootHash"),
    decodeHash32Hex(checkpoint.chainHash, "chainHash"),
    encodeUtf8(checkpoint.time),
    encodeUtf8(checkpoint.signingKeyId),
  ]);
}

function importPrivateKey(key: KeyObject | Uint8Array): KeyObject {
  if (key instanceof Uint8Array) {
    if (key.byteLength !== 32) throw new TypeError("a raw Ed25519 private key is a 32-byte seed");
    return createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, key]),
      format: "der",
      type: "pkcs8",
    });
  }
  if (key?.type !== "private" || key.asymmetricKeyType !== "ed25519") {
    throw new TypeError("signingKey.privateKey must be an Ed25519 private KeyObject or a 32-byte seed");
  }
  return key;
}

function resolveSubject(subject: CheckpointSubject): {
  treeSize: number;
  rootHash: Uint8Array;
  chainHash: string;
} {
  if ("records" in subject) {
    subject.records.forEach((record, i) => {
      if (record.seq !== i + 1) throw new RangeError(`records must run from seq 1 without gaps (index ${i})`);
    });
    return {
      treeSize: subject.records.length,
      rootHash: merkleTreeHead(subject.records.map(hashAuditLeaf)),
      chainHash: subject.records.at(-1)?.hash ?? GENESIS_HASH,
    };
  }
  if ("leafHashes" in subject) {
    const treeSize = subject.leafHashes.length;
    if ((subject.head?.seq ?? 0) !== treeSize) {
      throw new RangeError(`head.seq (${subject.head?.seq ?? 0}) must equal leafHashes.length (${treeSize})`);
    }
    return {
      treeSize,
      rootHash: merkleTreeHead(subject.leafHashes),
      chainHash: subject.head?.hash ?? GENESIS_HASH,
    };
  }
  if (!Number.isSafeInteger(subject.treeSize) || subject.treeSize < 0) {
    throw new RangeError(`treeSize must be a non-negative integer, got ${subject.treeSize}`);
  }
  if (!(subject.rootHash instanceof Uint8Array) || subject.rootHash.byteLength !== 32) {
    throw new TypeError("rootHash must be a 32-byte Uint8Array");
  }
  decodeHash32Hex(subject.chainHash, "chainHash");
  return { treeSize: subject.treeSize, rootHash: subject.rootHash, chainHash: subject.chainHash };
}

function describeMalformedCheckpoint(checkpoint: SignedCheckpoint): string | null {
  if (typeof checkpoint !== "object" || checkpoint === null) return "checkpoint must be an object";
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0)
    return "treeSize must be a count";
  if (!isHash32Hex(checkpoint.rootHash)) return "rootHash must be 64 lowercase hex digits";
  if (!isHash32Hex(checkpoint.chainHash)) return "chainHash must be 64 lowercase hex digits";
  if (typeof checkpoint.time !== "string" || checkpoint.time.length === 0)
    return "time must be an ISO-8601 string";
  if (typeof checkpoint.signingKeyId !== "string") return "signingKeyId must be a string";
  if (typeof checkpoint.signature !== "string") return "signature must be a base64url string";
  return null;
}

function fail(
  code: "MALFORMED_CHECKPOINT" | "UNKNOWN_SIGNING_KEY" | "BAD_SIGNATURE",
  message: string,
): CheckpointVerification {
  return { ok: false, reason: { code, message } };
}
