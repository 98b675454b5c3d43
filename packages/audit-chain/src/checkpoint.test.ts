import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createCheckpoint,
  createMerkleTreeBuilder,
  deriveCheckpointSigningKey,
  exportPublicKey,
  GENESIS_HASH,
  hashAuditLeaf,
  importPublicKey,
  merkleTreeHead,
  verifyCheckpoint,
} from "./index.js";
import { makeTestChain } from "./testing/index.js";

const time = new Date("2026-04-01T00:00:00.000Z");

describe("checkpoints", () => {
  const { records } = makeTestChain({ length: 7 });

  it("derives the same Ed25519 key from the same secret and key id, and different keys otherwise", () => {
    const secret = new Uint8Array(32).fill(0x33);
    const a = exportPublicKey(deriveCheckpointSigningKey(secret, "cp1"));
    expect(exportPublicKey(deriveCheckpointSigningKey(new Uint8Array(32).fill(0x33), "cp1"))).toBe(a);
    expect(exportPublicKey(deriveCheckpointSigningKey(secret, "cp2"))).not.toBe(a);
    expect(exportPublicKey(deriveCheckpointSigningKey(new Uint8Array(32).fill(0x34), "cp1"))).not.toBe(a);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("maps an RFC 8032 seed to its published public key (raw-seed import is correct)", () => {
    // RFC 8032 §7.1 TEST 1.
    const seed = new Uint8Array(
      Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex"),
    );
    const checkpoint = createCheckpoint({ records, time, signingKey: { keyId: "t1", privateKey: seed } });
    const publicHex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    expect(verifyCheckpoint(checkpoint, { t1: publicHex })).toEqual({ ok: true });
    expect(exportPublicKey(importPublicKey(publicHex), "hex")).toBe(publicHex);
  });

  it("accepts public keys as KeyObject, raw bytes, hex or base64url", () => {
    const key = deriveCheckpointSigningKey(new Uint8Array(40).fill(1), "cp");
    const checkpoint = createCheckpoint({ records, time, signingKey: key });
    const raw = new Uint8Array(Buffer.from(exportPublicKey(key, "hex"), "hex"));
    for (const publicKey of [key.publicKey, raw, exportPublicKey(key, "hex"), exportPublicKey(key)]) {
      expect(verifyCheckpoint(checkpoint, { cp: publicKey })).toEqual({ ok: true });
    }
  });

  it("signs the same checkpoint from records, from leaf hashes + head, and from an incremental tree", () => {
    const key = deriveCheckpointSigningKey(new Uint8Array(32).fill(2), "cp");
    const fromRecords = createCheckpoint({ records, time, signingKey: key });
    const leafHashes = records.map(hashAuditLeaf);
    const last = records.at(-1);
    const fromLeaves = createCheckpoint({ leafHashes, head: last ?? null, time, signingKey: key });
    const tree = createMerkleTreeBuilder();
    for (const leaf of leafHashes) tree.push(leaf);
    const fromTree = createCheckpoint({
      treeSize: tree.size,
      rootHash: tree.rootHash(),
      chainHash: last?.hash ?? GENESIS_HASH,
      time,
      signingKey: key,
    });
    expect(fromLeaves).toEqual(fromRecords);
    expect(fromTree).toEqual(fromRecords);
    expect(fromRecords).toMatchObject({
      treeSize: 7,
      rootHash: Buffer.from(merkleTreeHead(leafHashes)).toString("hex"),
      chainHash: last?.hash,
      time: "2026-04-01T00:00:00.000Z",
      signingKeyId: "cp",
    });
  });

  it("signs with a generated KeyObject and checkpoints the empty chain", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const empty = createCheckpoint({ records: [], time, signingKey: { keyId: "k", privateKey } });
    expect(empty).toMatchObject({ treeSize: 0, chainHash: GENESIS_HASH });
    expect(verifyCheckpoint(empty, { k: publicKey })).toEqual({ ok: true });
    expect(verifyCheckpoint(empty, { k: privateKey })).toEqual({ ok: true });
  });

  it("throws on misuse: bad keys, time, inconsistent subjects", () => {
    const key = deriveCheckpointSigningKey(new Uint8Array(32), "cp");
    expect(() => deriveCheckpointSigningKey(new Uint8Array(31), "cp")).toThrow(TypeError);
    expect(() => deriveCheckpointSigningKey(new Uint8Array(32), "")).toThrow(TypeError);
    expect(() => createCheckpoint({ records, time: new Date(Number.NaN), signingKey: key })).toThrow(
      TypeError,
    );
    expect(() => createCheckpoint({ records: records.slice(1), time, signingKey: key })).toThrow(RangeError);
    expect(() =>
      createCheckpoint({
        leafHashes: records.map(hashAuditLeaf),
        head: records[2] ?? null,
        time,
        signingKey: key,
      }),
    ).toThrow(RangeError);
    expect(() =>
      createCheckpoint({ records, time, signingKey: { keyId: "cp", privateKey: new Uint8Array(16) } }),
    ).toThrow(TypeError);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() =>
      createCheckpoint({ records, time, signingKey: { keyId: "cp", privateKey: rsa.privateKey } }),
    ).toThrow(TypeError);
    expect(() => importPublicKey("not-a-key")).toThrow(TypeError);
    expect(() => importPublicKey(createPublicKey(rsa.privateKey))).toThrow(TypeError);
  });
});
