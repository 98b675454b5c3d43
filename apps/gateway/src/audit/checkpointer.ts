/**
 * Signs a Merkle checkpoint (RFC 9162 tree head + chain hash, Ed25519) every `every` records, so an auditor
 * holding only the public key can detect a rewritten or truncated log. The tree is built incrementally; a new
 * process catches up from the store once, in the background, the first time it is asked.
 */
import {
  type AuditRecord,
  type AuditStore,
  type CheckpointKeyPair,
  createCheckpoint,
  createMerkleTreeBuilder,
  hashAuditLeaf,
  type MerkleTreeBuilder,
  verifyCheckpoint,
} from "@rack-gateway/audit-chain";

export interface Checkpointer {
  /**
   * Called with each committed batch: adds the records to the tree when they extend it (no database read), and
   * starts a checkpoint when enough records have accumulated. Never throws.
   */
  observe(records: readonly AuditRecord[]): void;
  /** Makes a checkpoint at the current head now (if there is anything new). */
  checkpointNow(): Promise<void>;
  /** Waits for a running checkpoint. */
  idle(): Promise<void>;
}

const PAGE_SIZE = 1000;

export function createCheckpointer(deps: {
  store: AuditStore;
  signingKey: CheckpointKeyPair;
  every: number;
  now: () => Date;
  logError: (message: string, error: unknown) => void;
}): Checkpointer {
  let builder: MerkleTreeBuilder | null = null;
  let lastChainHash: string | null = null;
  let lastCheckpointSize: number | null = null;
  let running: Promise<void> = Promise.resolve();

  /**
   * Adds records to the tree in seq order: records already in it are skipped, and a gap (another replica's
   * appends) stops the batch, to be filled by the next read from the store. Committed batches and store pages
   * both come through here, so they may interleave at any await without a record counted twice or missed —
   * and a batch committed while a checkpoint is being made still goes into the tree in memory, instead of being
   * read back from the store (a burst of parsing and hashing on the event loop) at the next checkpoint.
   */
  const absorb = (tree: MerkleTreeBuilder, records: readonly AuditRecord[]) => {
    for (const record of records) {
      if (record.seq <= tree.size) continue;
      if (record.seq !== tree.size + 1) return;
      tree.push(hashAuditLeaf(record));
      lastChainHash = record.hash;
    }
  };

  /**
   * The tree as of the newest checkpoint saved with a frontier, so a restart costs the records since then rather
   * than every record. The stored frontier is not signed, so it is used only when it folds to the root that
   * checkpoint signs (and the signature is ours); otherwise the tree is rebuilt from the records.
   */
  const resumeTree = async (): Promise<MerkleTreeBuilder> => {
    const saved = (await deps.store.latestCheckpointFrontier?.()) ?? null;
    if (saved === null) return createMerkleTreeBuilder();
    const { checkpoint, frontier } = saved;
    const signed = verifyCheckpoint(checkpoint, { [deps.signingKey.keyId]: deps.signingKey.publicKey }).ok;
    let tree: MerkleTreeBuilder | null = null;
    try {
      tree = frontier.size === checkpoint.treeSize ? createMerkleTreeBuilder(frontier) : null;
    } catch {
      tree = null; // malformed hashes
    }
    if (!signed || tree === null || Buffer.from(tree.rootHash()).toString("hex") !== checkpoint.rootHash) {
      deps.logError(
        "audit checkpoint frontier does not match its signed checkpoint; rebuilding the Merkle tree from every record",
        new Error(`checkpoint ${checkpoint.treeSize} (signing key ${checkpoint.signingKeyId})`),
      );
      return createMerkleTreeBuilder();
    }
    lastChainHash = checkpoint.chainHash;
    return tree;
  };

  const makeCheckpoint = async () => {
    if (lastCheckpointSize === null) {
      lastCheckpointSize = (await deps.store.listCheckpoints()).at(-1)?.treeSize ?? 0;
    }
    builder ??= await resumeTree();
    // Catch up on records this process did not see (a new process, or another replica's appends).
    for (;;) {
      const page = await deps.store.list({ afterSeq: builder.size, limit: PAGE_SIZE });
      const before = builder.size;
      absorb(builder, page);
      // A gap in the stored chain stops the tree there (`audit verify` reports the break); never spin on it.
      if (page.length < PAGE_SIZE || builder.size === before) break;
    }
    const chainHash = lastChainHash;
    if (chainHash === null || builder.size <= lastCheckpointSize) return;
    const checkpoint = createCheckpoint({
      treeSize: builder.size,
      rootHash: builder.rootHash(),
      chainHash,
      time: deps.now(),
      signingKey: deps.signingKey,
    });
    await deps.store.saveCheckpoint(checkpoint, builder.frontier());
    lastCheckpointSize = Math.max(lastCheckpointSize, checkpoint.treeSize);
  };

  let queued = false;
  const schedule = () => {
    if (queued) return running;
    queued = true;
    running = running
      .then(() => {
        queued = false;
        return makeCheckpoint();
      })
      .catch((error: unknown) => deps.logError("audit checkpoint failed", error));
    return running;
  };

  return {
    observe(records) {
      const last = records.at(-1);
      if (!last) return;
      if (builder) absorb(builder, records);
      const since = lastCheckpointSize ?? 0;
      if (last.seq - since >= deps.every) void schedule();
    },
    checkpointNow: schedule,
    idle: () => running,
  };
}
