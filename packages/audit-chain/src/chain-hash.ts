/**
 * The HMAC chain: hash_n = HMAC-SHA256(key[keyId], frame(tag, seq, prevHash, keyId, canonical(event))).
 * Every field is length-prefixed (see `frameFields`), so no two different records share a MAC input, and the
 * key id is inside the MAC so a record cannot be re-labelled with another key.
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { encodeUtf8, frameRecordFields } from "./bytes.js";
import { canonicalizeEvent } from "./canonicalize.js";
import { type AuditEvent, parseAuditEvent } from "./event.js";
import type { AuditRecord, ChainHead, SealFunction } from "./store.js";

/** The prevHash of record 1: 64 hex zeros. */
export const GENESIS_HASH = "0".repeat(64);

/** Domain-separation tag heading every chain MAC input; bump the version if the encoding ever changes. */
export const CHAIN_HASH_TAG = "rack-gateway/audit-chain/v1";

/** Shortest HMAC key accepted: 256 bits, the HMAC-SHA256 output size. */
export const MIN_CHAIN_KEY_BYTES = 32;

const TAG_BYTES = encodeUtf8(CHAIN_HASH_TAG);

export interface ChainSealerOptions {
  /** HMAC keys by key id. Keep retired keys here so old records still verify. Each at least 32 bytes. */
  readonly keys: Readonly<Record<string, Uint8Array>>;
  /** The key id new records are sealed with; must be a key of `keys`. */
  readonly currentKeyId: string;
}

/** HMAC keys prepared once: `createHmac` with a KeyObject skips re-importing the raw key for every record. */
export type PreparedChainKeys = ReadonlyMap<string, KeyObject>;

/** Validates and imports HMAC keys. Throws TypeError naming the bad key. */
export function prepareChainKeys(keys: Readonly<Record<string, Uint8Array>>): PreparedChainKeys {
  if (typeof keys !== "object" || keys === null) {
    throw new TypeError(
      "keys must be an object mapping key ids to HMAC keys (Uint8Array, at least 32 bytes)",
    );
  }
  const prepared = new Map<string, KeyObject>();
  for (const [keyId, key] of Object.entries(keys)) {
    if (keyId.length === 0) throw new TypeError("key ids must be non-empty strings");
    if (!(key instanceof Uint8Array) || key.byteLength < MIN_CHAIN_KEY_BYTES) {
      throw new TypeError(
        `audit HMAC key "${keyId}" must be a Uint8Array of at least ${MIN_CHAIN_KEY_BYTES} bytes ` +
          "(generate one with `openssl rand -hex 32` and decode the hex)",
      );
    }
    prepared.set(keyId, createSecretKey(key));
  }
  return prepared;
}

/**
 * Returns the chain hash of one record as lowercase hex. Throws TypeError if `prevHash` is not 64 lowercase
 * hex digits or the event has no canonical form.
 */
export function computeChainHash(
  key: KeyObject,
  link: { readonly seq: number; readonly prevHash: string; readonly keyId: string },
  canonicalEvent: string,
): string {
  const input = frameRecordFields(TAG_BYTES, link.seq, link.prevHash, "prevHash", [
    link.keyId,
    canonicalEvent,
  ]);
  return createHmac("sha256", key).update(input).digest("hex");
}

/**
 * Creates the pure `SealFunction` stores call inside their append transaction. The seal validates the
 * event against the schema (TypeError if malformed), so a store can never persist an unverifiable record,
 * and returns a fresh record whose `event` is a validated copy the caller can no longer mutate.
 *
 * @example
 * const seal = createChainSealer({ keys: { k1: hmacKey }, currentKeyId: "k1" });
 * const first = seal(null, event); // { seq: 1, prevHash: GENESIS_HASH, keyId: "k1", hash, event }
 */
export function createChainSealer(options: ChainSealerOptions): SealFunction {
  const keys = prepareChainKeys(options.keys);
  const keyId = options.currentKeyId;
  const key = keys.get(keyId);
  if (key === undefined) {
    throw new TypeError(`currentKeyId "${String(keyId)}" is not one of the keys passed to createChainSealer`);
  }
  return (previous: ChainHead | null, event: AuditEvent): AuditRecord => {
    const seq = previous === null ? 1 : previous.seq + 1;
    if (!Number.isSafeInteger(seq) || seq < 1) {
      throw new TypeError(`previous.seq must be a positive safe integer, got ${String(previous?.seq)}`);
    }
    const prevHash = previous === null ? GENESIS_HASH : previous.hash;
    const parsed = parseAuditEvent(event);
    const hash = computeChainHash(key, { seq, prevHash, keyId }, canonicalizeEvent(parsed));
    return { seq, prevHash, keyId, hash, event: parsed };
  };
}
