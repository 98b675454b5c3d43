/**
 * The in-memory AuditStore: for tests, demos and as the reference behaviour of the port. Appends run one at
 * a time through a promise queue held by the storage, so two handles on one storage behave like two
 * database connections behind a lock.
 */
import type { AuditEvent } from "./event.js";
import { assertFrontierFits, type MerkleFrontier } from "./merkle-builder.js";
import type {
  AuditRecord,
  AuditStore,
  ChainHead,
  CheckpointWithFrontier,
  ListAuditRecordsOptions,
  SealFunction,
  SignedCheckpoint,
} from "./store.js";

/** The shared state behind one or more memory store handles (the "database"). */
export interface MemoryAuditStorage {
  readonly records: AuditRecord[];
  readonly checkpoints: SignedCheckpoint[];
  /** Frontiers saved with checkpoints, by treeSize. */
  readonly frontiers: Map<number, MerkleFrontier>;
  /** Tail of the append queue: the "advisory lock". */
  appendQueue: Promise<unknown>;
}

export interface MemoryAuditStoreOptions {
  /** Storage to share with another handle (from `createMemoryAuditStorage`); a fresh one by default. */
  readonly storage?: MemoryAuditStorage;
}

/** Creates empty storage that several `createMemoryAuditStore({ storage })` handles can share. */
export function createMemoryAuditStorage(): MemoryAuditStorage {
  return { records: [], checkpoints: [], frontiers: new Map(), appendQueue: Promise.resolve() };
}

/**
 * Creates an in-memory AuditStore. `append` is atomic (a seal that throws leaves nothing behind) and
 * serialized; records and checkpoints are copied in and out, so callers cannot mutate stored state.
 *
 * @example
 * const store = createMemoryAuditStore();
 * const writer = createAuditWriter({ store, seal: createChainSealer({ keys, currentKeyId: "k1" }) });
 */
export function createMemoryAuditStore(options: MemoryAuditStoreOptions = {}): AuditStore {
  const storage = options.storage ?? createMemoryAuditStorage();

  const appendNow = (events: readonly AuditEvent[], seal: SealFunction): AuditRecord[] => {
    const last = storage.records.at(-1);
    let head: ChainHead | null = last === undefined ? null : { seq: last.seq, hash: last.hash };
    const sealed: AuditRecord[] = [];
    for (const event of events) {
      const record = seal(head, event);
      const expectedSeq = (head?.seq ?? 0) + 1;
      if (record.seq !== expectedSeq) {
        throw new TypeError(`seal returned seq ${record.seq}, expected ${expectedSeq}`);
      }
      sealed.push(structuredClone(record));
      head = { seq: record.seq, hash: record.hash };
    }
    storage.records.push(...sealed);
    return sealed.map((record) => structuredClone(record));
  };

  return {
    append(events, seal) {
      const run = storage.appendQueue.then(() => appendNow(events, seal));
      storage.appendQueue = run.catch(() => undefined);
      return run;
    },
    async head() {
      const last = storage.records.at(-1);
      return last === undefined ? null : { seq: last.seq, hash: last.hash };
    },
    async list({ afterSeq = 0, limit }: ListAuditRecordsOptions) {
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new RangeError(`limit must be a positive integer, got ${limit}`);
      if (!Number.isSafeInteger(afterSeq) || afterSeq < 0)
        throw new RangeError(`afterSeq must be a count, got ${afterSeq}`);
      // seq n lives at index n - 1: the chain has no gaps.
      return storage.records.slice(afterSeq, afterSeq + limit).map((record) => structuredClone(record));
    },
    async count() {
      return storage.records.length;
    },
    async saveCheckpoint(checkpoint, frontier) {
      assertFrontierFits(checkpoint.treeSize, frontier);
      const copy = structuredClone(checkpoint);
      const at = storage.checkpoints.findIndex((saved) => saved.treeSize > copy.treeSize);
      storage.checkpoints.splice(at === -1 ? storage.checkpoints.length : at, 0, copy);
      if (frontier !== undefined) storage.frontiers.set(copy.treeSize, structuredClone(frontier));
    },
    async listCheckpoints() {
      return storage.checkpoints.map((checkpoint) => structuredClone(checkpoint));
    },
    async latestCheckpointFrontier(): Promise<CheckpointWithFrontier | null> {
      for (let i = storage.checkpoints.length - 1; i >= 0; i--) {
        const checkpoint = storage.checkpoints[i]!;
        const frontier = storage.frontiers.get(checkpoint.treeSize);
        if (frontier) return { checkpoint: structuredClone(checkpoint), frontier: structuredClone(frontier) };
      }
      return null;
    },
  };
}
