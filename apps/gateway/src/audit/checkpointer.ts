/**
 * Signs a Merkle checkpoint (RFC 9162 tree head + chain hash, Ed25519) every `every` records, so an auditor
 * holding only the public key can detect a rewritten or truncated log. The tree is built incrementally; a new
 * process catches up from the store once, in the background, the first time it is asked.
 */
import {
  type AuditStore,
  type ChainHead,
  type CheckpointKeyPair,
  createCheckpoint,
  createMerkleTreeBuilder,
  hashAuditLeaf,
  type MerkleTreeBuilder,
} from "@rack-gateway/audit-chain";

export interface Checkpointer {
  /** Called after commits; starts a checkpoint when enough records have accumulated. Never throws. */
  notify(head: ChainHead): void;
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
  let lastCheckpointSize: number | null = null;
  let running: Promise<void> = Promise.resolve();

  const run = async () => {
    if (lastCheckpointSize === null) {
      lastCheckpointSize = (await deps.store.listCheckpoints()).at(-1)?.treeSize ?? 0;
    }
    builder ??= createMerkleTreeBuilder();
    let chainHash: string | null = null;
    for (;;) {
      const page = await deps.store.list({ afterSeq: builder.size, limit: PAGE_SIZE });
      for (const record of page) {
        builder.push(hashAuditLeaf(record));
        chainHash = record.hash;
      }
      if (page.length < PAGE_SIZE) break;
    }
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
    notify(head) {
      const since = lastCheckpointSize ?? 0;
      if (head.seq - since >= deps.every) void schedule();
    },
    checkpointNow: schedule,
    idle: () => running,
  };
}
