/**
 * RFC 9162 §2.1 Merkle tree hashing over leaf hashes: tree heads, inclusion and consistency proofs, and
 * their verification. Proof generation follows the recursive definitions (§2.1.3.1, §2.1.4.1); verification
 * follows the iterative algorithms (§2.1.3.2, §2.1.4.2), so each checks the other in tests.
 */
import { hash } from "node:crypto";
import { equalBytes } from "./bytes.js";

const HASH_BYTES = 32;

/** MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const EMPTY_TREE_HEAD: Uint8Array = new Uint8Array(hash("sha256", "", "buffer"));

/** Leaf hash: SHA-256(0x00 ‖ data) (RFC 9162 §2.1.1). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  const input = Buffer.allocUnsafe(1 + data.byteLength);
  input[0] = 0x00;
  input.set(data, 1);
  return new Uint8Array(hash("sha256", input, "buffer"));
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  // One buffer and one-shot hashing: this runs about once per audit record (building the tree) and per level.
  const input = Buffer.allocUnsafe(1 + left.byteLength + right.byteLength);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.byteLength);
  return new Uint8Array(hash("sha256", input, "buffer"));
}

/** The Merkle tree head (root) over `leafHashes` (RFC 9162 §2.1.1). Empty input gives `EMPTY_TREE_HEAD`. */
export function merkleTreeHead(leafHashes: readonly Uint8Array[]): Uint8Array {
  assertLeafHashes(leafHashes, leafHashes.length);
  return subtreeHead(leafHashes, 0, leafHashes.length);
}

/**
 * The inclusion proof (audit path) for leaf `index` in the tree of the first `treeSize` leaves, ordered
 * from the leaf upward (RFC 9162 §2.1.3.1). RangeError unless 0 ≤ index < treeSize ≤ leafHashes.length.
 */
export function inclusionProof(
  leafHashes: readonly Uint8Array[],
  index: number,
  treeSize: number = leafHashes.length,
): Uint8Array[] {
  assertSize(treeSize, leafHashes.length, "treeSize");
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
    throw new RangeError(`index must be an integer in [0, ${treeSize}), got ${index}`);
  }
  assertLeafHashes(leafHashes, treeSize);
  const proof: Uint8Array[] = [];
  collectPath(leafHashes, index, 0, treeSize, proof);
  return proof;
}

/**
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2). Returns false, never throws, for any malformed input.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(rootHash) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, rootHash);
}

/**
 * The consistency proof between the trees of the first `m` and first `n` leaves (RFC 9162 §2.1.4.1).
 * Empty when m = 0 or m = n. RangeError unless 0 ≤ m ≤ n ≤ leafHashes.length.
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], m: number, n: number): Uint8Array[] {
  assertSize(n, leafHashes.length, "n");
  assertSize(m, n, "m");
  assertLeafHashes(leafHashes, n);
  const proof: Uint8Array[] = [];
  if (m > 0 && m < n) collectSubproof(leafHashes, m, 0, n, true, proof);
  return proof;
}

/**
 * Verifies that the tree of size `n` with head `rootN` extends the tree of size `m` with head `rootM`
 * (RFC 9162 §2.1.4.2). m = n needs an empty proof and equal heads; m = 0 needs an empty proof and
 * `rootM` = `EMPTY_TREE_HEAD`. Returns false, never throws, for any malformed input.
 */
export function verifyConsistency(
  m: number,
  n: number,
  rootM: Uint8Array,
  rootN: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isCount(m) || !isCount(n) || m > n) return false;
  if (!isHash(rootM) || !isHash(rootN) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && equalBytes(rootM, rootN);
  if (m === 0) return proof.length === 0 && equalBytes(rootM, EMPTY_TREE_HEAD);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, rootM) && equalBytes(sr, rootN);
}

function subtreeHead(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const size = end - start;
  if (size === 0) return EMPTY_TREE_HEAD;
  if (size === 1) return leaves[start] as Uint8Array;
  const k = largestPowerOfTwoBelow(size);
  return hashChildren(subtreeHead(leaves, start, start + k), subtreeHead(leaves, start + k, end));
}

// PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) or PATH(m - k, D[k:n]) : MTH(D[0:k]).
function collectPath(
  leaves: readonly Uint8Array[],
  m: number,
  start: number,
  end: number,
  out: Uint8Array[],
) {
  const size = end - start;
  if (size === 1) return;
  const k = largestPowerOfTwoBelow(size);
  if (m < k) {
    collectPath(leaves, m, start, start + k, out);
    out.push(subtreeHead(leaves, start + k, end));
  } else {
    collectPath(leaves, m - k, start + k, end, out);
    out.push(subtreeHead(leaves, start, start + k));
  }
}

// SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1.
function collectSubproof(
  leaves: readonly Uint8Array[],
  m: number,
  start: number,
  end: number,
  complete: boolean,
  out: Uint8Array[],
) {
  const size = end - start;
  if (m === size) {
    if (!complete) out.push(subtreeHead(leaves, start, end));
    return;
  }
  const k = largestPowerOfTwoBelow(size);
  if (m <= k) {
    collectSubproof(leaves, m, start, start + k, complete, out);
    out.push(subtreeHead(leaves, start + k, end));
  } else {
    collectSubproof(leaves, m - k, start + k, end, false, out);
    out.push(subtreeHead(leaves, start, start + k));
  }
}

/** Largest power of two strictly below `n` (n ≥ 2); arithmetic, not bit shifts, so sizes above 2^31 work. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && largestPowerOfTwoBelow(n * 2) === n;
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength === HASH_BYTES;
}

function assertSize(size: number, max: number, name: string): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > max) {
    throw new RangeError(`${name} must be an integer in [0, ${max}], got ${size}`);
  }
}

function assertLeafHashes(leafHashes: readonly Uint8Array[], count: number): void {
  if (!Array.isArray(leafHashes)) throw new TypeError("leafHashes must be an array of 32-byte Uint8Arrays");
  for (let i = 0; i < count; i++) {
    if (!isHash(leafHashes[i])) throw new TypeError(`leafHashes[${i}] must be a 32-byte Uint8Array`);
  }
}
