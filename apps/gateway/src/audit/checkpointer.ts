/**
 * Signs a Merkle checkpoint (RFC 9162 tree head + chain hash, Ed25519) every `every` records, so an auditor
 * holding only the public key can detect a rewritten or truncated log. The tree is built incrementally; a new
 * process catches up from the store once, in the background, the first time it is asked.
 *
 * A signature vouches for every record under it, so records read back from the store (another replica's, or
 * this process's history) are checked against the HMAC chain first: a record edited in the database after the
 * last checkpoint must not be laundered into the next one. Records this process committed itself are trusted.
 */
import {
  type AuditRecord,
  type AuditStore,
  type ChainFailure,
  type CheckpointKeyPair,
  createChainVerifier,
  createCheckpoint,
  createMerkleTreeBuilder,
  hashAuditLeaf,
  type KeyRotation,
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
  /** The audit HMAC keys (current and retired) that records read back from the store are verified with. */
  hmacKeys: Readonly<Record<string, Uint8Array>>;
  /** What retired keys may still seal (as `audit verify` checks it); without it, any key at any seq. */
  keyRotation?: KeyRotation;
  signingKey: CheckpointKeyPair;
  every: number;
  now: () => Date;
  logError: (message: string, error: unknown) => void;
}): Checkpointer {
  let builder: MerkleTreeBuilder | null = null;
  let lastChainHash: string | null = null;
  let lastCheckpointSize: number | null = null;
  let running: Promise<void> = Promise.resolve();
  // Where the current key first sealed a record, once this process has seen it: retired keys' bound starts there.
  // (After resuming from a checkpoint past it, the bound is unknown here; `audit verify` still applies it.)
  let currentKeyFirstSeq: number | undefined;

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
      if (record.keyId === deps.keyRotation?.currentKeyId) currentKeyFirstSeq ??= record.seq;
      tree.push(hashAuditLeaf(record));
      lastChainHash = record.hash;
    }
  };

  /**
   * Verifies a page read back from the store from the tree's head on, and returns the records that chain onto
   * it; stops at the first broken link (edited, forged, missing or re-keyed record) and logs it. Records the tree
   * already holds are skipped, as in `absorb`.
   */
  const verifiedReadBack = (tree: MerkleTreeBuilder, page: readonly AuditRecord[]): AuditRecord[] => {
    const start = lastChainHash === null ? undefined : { seq: tree.size, hash: lastChainHash };
    const rotation =
      deps.keyRotation === undefined
        ? {}
        : {
            keyRotation:
              currentKeyFirstSeq === undefined
                ? deps.keyRotation
                : { ...deps.keyRotation, currentKeyFirstSeq },
          };
    const verifier = createChainVerifier(deps.hmacKeys, {
      ...rotation,
      ...(start === undefined ? {} : { expectedStart: start }),
    });
    const verified: AuditRecord[] = [];
    for (const record of page) {
      if (record.seq <= tree.size) continue;
      const failure = verifier.push(record);
      if (failure !== null) {
        reportBrokenChain(failure);
        break;
      }
      verified.push(record);
    }
    return verified;
  };

  const reportBrokenChain = (failure: ChainFailure) => {
    deps.logError(
      `audit chain broken at seq ${failure.seq ?? "?"}: refusing to checkpoint it or anything after it (run \`rack-gateway-server audit verify\`)`,
      new Error(`${failure.reason.code}: ${failure.reason.message}`),
    );
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
      absorb(builder, verifiedReadBack(builder, page));
      // A broken link (a gap, an edited record) stops the tree there; never spin on it.
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
