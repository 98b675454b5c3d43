import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  createMerkleTreeBuilder,
  EMPTY_TREE_HEAD,
  hashLeaf,
  inclusionProof,
  merkleTreeHead,
  verifyConsistency,
  verifyInclusion,
} from "./index.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const unhex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

// The Certificate Transparency reference tree (RFC 6962 test data, same hashing as RFC 9162 §2.1).
const CT_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
]
  .map(unhex)
  .map(hashLeaf);
const CT_ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const MAX = 20;
const LEAVES = Array.from({ length: MAX }, (_, i) =>
  hashLeaf(createHash("sha256").update(`leaf ${i}`).digest()),
);
const ROOTS = Array.from({ length: MAX + 1 }, (_, n) => merkleTreeHead(LEAVES.slice(0, n)));

function flipByte(proof: readonly Uint8Array[], at: number): Uint8Array[] {
  return proof.map((node, i) => {
    if (i !== at) return node;
    const copy = new Uint8Array(node);
    copy[0] = (copy[0] ?? 0) ^ 0x01;
    return copy;
  });
}

describe("Merkle tree (RFC 9162 §2.1)", () => {
  it("matches the reference tree heads for sizes 0..8", () => {
    expect(hex(EMPTY_TREE_HEAD)).toBe(CT_ROOTS[0]);
    for (let n = 0; n <= 8; n++)
      expect(hex(merkleTreeHead(CT_LEAVES.slice(0, n))), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it("produces the reference inclusion proofs", () => {
    expect(inclusionProof(CT_LEAVES, 0, 8).map(hex)).toEqual([
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]);
    expect(inclusionProof(CT_LEAVES, 5, 8).map(hex)).toEqual([
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]);
  });

  it("produces the reference consistency proofs", () => {
    expect(consistencyProof(CT_LEAVES, 2, 8).map(hex)).toEqual([
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]);
    expect(consistencyProof(CT_LEAVES, 6, 8).map(hex)).toEqual([
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]);
  });

  it(`verifies the inclusion proof of every leaf in every tree up to size ${MAX}, and rejects mangled ones`, () => {
    let checked = 0;
    for (let size = 1; size <= MAX; size++) {
      const root = ROOTS[size] as Uint8Array;
      for (let index = 0; index < size; index++) {
        const leaf = LEAVES[index] as Uint8Array;
        const proof = inclusionProof(LEAVES, index, size);
        expect(verifyInclusion(leaf, index, size, proof, root), `${index}/${size}`).toBe(true);
        const otherIndex = (index + 1) % size;
        if (otherIndex !== index) expect(verifyInclusion(leaf, otherIndex, size, proof, root)).toBe(false);
        if (otherIndex !== index) {
          expect(verifyInclusion(LEAVES[otherIndex] as Uint8Array, index, size, proof, root)).toBe(false);
        }
        const nextRoot = ROOTS[size + 1];
        if (nextRoot !== undefined)
          expect(verifyInclusion(leaf, index, size + 1, proof, nextRoot)).toBe(false);
        expect(verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
          for (let at = 0; at < proof.length; at++) {
            expect(verifyInclusion(leaf, index, size, flipByte(proof, at), root)).toBe(false);
          }
        }
        checked++;
      }
    }
    expect(checked).toBe((MAX * (MAX + 1)) / 2);
  });

  it(`verifies consistency for every 0 ≤ m ≤ n ≤ ${MAX}, and rejects mangled proofs`, () => {
    let checked = 0;
    for (let n = 0; n <= MAX; n++) {
      for (let m = 0; m <= n; m++) {
        const rootM = ROOTS[m] as Uint8Array;
        const rootN = ROOTS[n] as Uint8Array;
        const proof = consistencyProof(LEAVES, m, n);
        expect(verifyConsistency(m, n, rootM, rootN, proof), `${m}->${n}`).toBe(true);
        if (m < n) {
          expect(verifyConsistency(n, m, rootN, rootM, proof)).toBe(false);
          expect(verifyConsistency(m, n, rootN, rootN, proof)).toBe(false);
          expect(verifyConsistency(m, n, rootM, rootN, [...proof, rootN])).toBe(false);
          // Every tree extends the empty tree, so only a non-empty first tree constrains rootN.
          if (m > 0) {
            expect(verifyConsistency(m, n, rootM, rootM, proof)).toBe(false);
            expect(verifyConsistency(m, n, rootM, rootN, proof.slice(0, -1))).toBe(false);
            for (let at = 0; at < proof.length; at++) {
              expect(verifyConsistency(m, n, rootM, rootN, flipByte(proof, at))).toBe(false);
            }
          }
        }
        checked++;
      }
    }
    expect(checked).toBe(((MAX + 1) * (MAX + 2)) / 2);
  });

  it("treats degenerate and malformed inputs as a failed proof, not an exception", () => {
    const root = ROOTS[8] as Uint8Array;
    const leaf = LEAVES[3] as Uint8Array;
    const proof = inclusionProof(LEAVES, 3, 8);
    expect(verifyInclusion(leaf, 8, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, -1, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 1.5, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf.subarray(1), 3, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 3, 8, [new Uint8Array(31), ...proof.slice(1)], root)).toBe(false);
    expect(verifyConsistency(4, 4, ROOTS[4] as Uint8Array, ROOTS[4] as Uint8Array, [])).toBe(true);
    expect(verifyConsistency(4, 4, ROOTS[4] as Uint8Array, ROOTS[5] as Uint8Array, [])).toBe(false);
    expect(verifyConsistency(4, 4, ROOTS[4] as Uint8Array, ROOTS[4] as Uint8Array, [root])).toBe(false);
    expect(verifyConsistency(0, 8, EMPTY_TREE_HEAD, root, [])).toBe(true);
    expect(verifyConsistency(0, 8, ROOTS[1] as Uint8Array, root, [])).toBe(false);
    expect(verifyConsistency(3, 8, ROOTS[3] as Uint8Array, root, [])).toBe(false);
  });

  it("throws RangeError/TypeError when asked for an impossible proof", () => {
    expect(() => inclusionProof(LEAVES, 5, 5)).toThrow(RangeError);
    expect(() => inclusionProof(LEAVES, 0, MAX + 1)).toThrow(RangeError);
    expect(() => consistencyProof(LEAVES, 6, 5)).toThrow(RangeError);
    expect(() => consistencyProof(LEAVES, 1, MAX + 1)).toThrow(RangeError);
    expect(() => merkleTreeHead([new Uint8Array(31)])).toThrow(TypeError);
  });
});

describe("createMerkleTreeBuilder", () => {
  const many = Array.from({ length: 70 }, (_, i) => hashLeaf(Uint8Array.of(i, i >> 8)));

  it("matches merkleTreeHead at every size from 0 to 70", () => {
    const builder = createMerkleTreeBuilder();
    expect(hex(builder.rootHash())).toBe(hex(EMPTY_TREE_HEAD));
    many.forEach((leaf, i) => {
      builder.push(leaf);
      expect(builder.size).toBe(i + 1);
      expect(hex(builder.rootHash()), `size ${i + 1}`).toBe(hex(merkleTreeHead(many.slice(0, i + 1))));
    });
  });

  it("keeps one frontier hash per set bit of the size and resumes from it", () => {
    const builder = createMerkleTreeBuilder();
    for (const leaf of many.slice(0, 45)) builder.push(leaf);
    const frontier = builder.frontier();
    expect(frontier).toMatchObject({ size: 45 });
    expect(frontier.hashes).toHaveLength(4); // 45 = 32 + 8 + 4 + 1
    const resumed = createMerkleTreeBuilder(frontier);
    for (const leaf of many.slice(45)) resumed.push(leaf);
    expect(hex(resumed.rootHash())).toBe(hex(merkleTreeHead(many)));
  });

  it("rejects an inconsistent frontier and a malformed leaf", () => {
    expect(() => createMerkleTreeBuilder({ size: 3, hashes: [hex(EMPTY_TREE_HEAD)] })).toThrow(TypeError);
    expect(() => createMerkleTreeBuilder().push(new Uint8Array(16))).toThrow(TypeError);
  });
});
