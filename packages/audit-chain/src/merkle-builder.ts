/**
 * An incremental RFC 9162 tree head: keeps only the compact range ("frontier") of perfect subtrees, one per
 * set bit of the size, so a checkpoint over millions of records needs O(log n) memory.
 */
import { decodeHash32Hex, encodeHex } from "./bytes.js";
import { EMPTY_TREE_HEAD, hashChildren } from "./merkle.js";

/** A resumable snapshot of a builder: the tree size and its frontier hashes (largest subtree first), hex. */
export interface MerkleFrontier {
  readonly size: number;
  readonly hashes: readonly string[];
}

export interface MerkleTreeBuilder {
  /** Number of leaves pushed so far. */
  readonly size: number;
  /** Appends one leaf hash (32 bytes, from `hashLeaf` / `hashAuditLeaf`). */
  push(leafHash: Uint8Array): void;
  /** The tree head over every leaf pushed so far; equals `merkleTreeHead(allLeaves)`. */
  rootHash(): Uint8Array;
  /** A snapshot to persist and later pass back to `createMerkleTreeBuilder` to resume. */
  frontier(): MerkleFrontier;
}

/**
 * Creates an incremental tree builder, optionally resuming from a saved `frontier` (TypeError if the
 * snapshot is inconsistent).
 *
 * @example
 * const tree = createMerkleTreeBuilder();
 * for (const record of records) tree.push(hashAuditLeaf(record));
 * tree.rootHash(); // same bytes as merkleTreeHead(records.map(hashAuditLeaf))
 */
export function createMerkleTreeBuilder(resume?: MerkleFrontier): MerkleTreeBuilder {
  // Perfect subtrees, largest (leftmost) first; their sizes are the set bits of `size`, descending.
  const stack: { hash: Uint8Array; size: number }[] = [];
  let size = 0;
  if (resume !== undefined) {
    const sizes = decomposeSize(resume.size);
    if (sizes.length !== resume.hashes.length) {
      throw new TypeError(`a frontier for size ${resume.size} holds ${sizes.length} hashes`);
    }
    sizes.forEach((subtreeSize, i) => {
      stack.push({
        hash: decodeHash32Hex(resume.hashes[i] as string, `frontier hash ${i}`),
        size: subtreeSize,
      });
    });
    size = resume.size;
  }
  return {
    get size() {
      return size;
    },
    push(leafHash) {
      if (!(leafHash instanceof Uint8Array) || leafHash.byteLength !== 32) {
        throw new TypeError("leafHash must be a 32-byte Uint8Array");
      }
      let hash = leafHash;
      let nodeSize = 1;
      for (let top = stack.at(-1); top !== undefined && top.size === nodeSize; top = stack.at(-1)) {
        hash = hashChildren(top.hash, hash);
        nodeSize *= 2;
        stack.pop();
      }
      stack.push({ hash, size: nodeSize });
      size++;
    },
    rootHash() {
      // Folding right to left reproduces MTH's split at the largest power of two below the size.
      let root: Uint8Array | undefined;
      for (let i = stack.length - 1; i >= 0; i--) {
        const node = (stack[i] as { hash: Uint8Array }).hash;
        root = root === undefined ? node : hashChildren(node, root);
      }
      return root ?? EMPTY_TREE_HEAD;
    },
    frontier() {
      return { size, hashes: stack.map((node) => encodeHex(node.hash)) };
    },
  };
}

function decomposeSize(size: number): number[] {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new TypeError(`frontier size must be a count, got ${size}`);
  const sizes: number[] = [];
  let rest = size;
  for (let bit = 2 ** 52; bit >= 1; bit /= 2) {
    if (rest >= bit) {
      sizes.push(bit);
      rest -= bit;
    }
  }
  return sizes;
}

/**
 * Throws RangeError unless `frontier` can be the tree a checkpoint over `treeSize` records was made from. Stores
 * call it in `saveCheckpoint`, before writing anything.
 */
export function assertFrontierFits(treeSize: number, frontier: MerkleFrontier | undefined): void {
  if (frontier !== undefined && frontier.size !== treeSize) {
    throw new RangeError(`a frontier of size ${frontier.size} cannot belong to checkpoint ${treeSize}`);
  }
}
