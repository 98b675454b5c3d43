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

  // True while a checkpoint reads the store: records observed meanwhile are left to that read.
  let readingStore = false;
  const run = async () => {
    readingStore = true;
    try {
      await makeCheckpoint();
    } finally {
      readingStore = false;
    }
  };
  const makeCheckpoint = async () => {
    if (lastCheckpointSize === null) {
      lastCheckpointSize = (await deps.store.listCheckpoints()).at(-1)?.treeSize ?? 0;
    }
    builder ??= createMerkleTreeBuilder();
    // Catch up on records this process did not see (a new process, or another replica's appends).
    for (;;) {
      const page = await deps.store.list({ afterSeq: builder.size, limit: PAGE_SIZE });
      for (const record of page) {
        builder.push(hashAuditLeaf(record));
        lastChainHash = record.hash;
      }
      if (page.length < PAGE_SIZE) break;
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
    await deps.store.saveCheckpoint(checkpoint);
    lastCheckpointSize = checkpoint.treeSize;
  };

  let queued = false;
  const schedule = () => {
    if (queued) return running;
    queued = true;
    running = running
      .then(() => {
        queued = false;
        return run();
      })
      .catch((error: unknown) => deps.logError("audit checkpoint failed", error));
    return running;
  };

  return {
    observe(records) {
      const first = records[0];
      const last = records.at(-1);
      if (!first || !last) return;
      // Extend the tree in memory only when no store read is under way and the batch follows on exactly.
      if (builder && !readingStore && !queued && first.seq === builder.size + 1) {
        for (const record of records) builder.push(hashAuditLeaf(record));
        lastChainHash = last.hash;
      }
      const since = lastCheckpointSize ?? 0;
      if (last.seq - since >= deps.every) void schedule();
    },
    checkpointNow: schedule,
    idle: () => running,
  };
}
