import {
  type AuditStore,
  type AuditWriter,
  createAuditWriter,
  createChainSealer,
  createMemoryAuditStorage,
  createMemoryAuditStore,
  deriveCheckpointSigningKey,
  verifyChain,
} from "@rack-gateway/audit-chain";
import { makeTestEvent } from "@rack-gateway/audit-chain/testing";
import { describe, expect, it } from "vitest";
import { createCheckpointer } from "./checkpointer.js";

const key = new Uint8Array(32).fill(7);
const seal = createChainSealer({ keys: { k1: key }, currentKeyId: "k1" });
const signingKey = deriveCheckpointSigningKey(key, "cp-k1");

/** A checkpointer whose logged failures land in `errors` (their messages). */
function startCheckpointer(store: AuditStore, every: number, errors: string[]) {
  return createCheckpointer({
    store,
    hmacKeys: { k1: key },
    signingKey,
    every,
    now: () => new Date("2026-11-22T10:00:00.000Z"),
    logError: (message) => errors.push(message),
  });
}

/** `inner`, counting the records it hands back to `list` (what a checkpointer reads to catch up). */
function countingReads(inner: AuditStore) {
  const counter = { recordsReadBack: 0 };
  const store: AuditStore = {
    ...inner,
    list: async (options) => {
      const page = await inner.list(options);
      counter.recordsReadBack += page.length;
      return page;
    },
  };
  return { store, counter };
}

/** Appends `count` test events one at a time; `afterEach` runs after every append. */
function sequentialAppender(writer: AuditWriter, afterEach: () => Promise<void> = async () => undefined) {
  let n = 0;
  return async (count: number) => {
    for (let i = 0; i < count; i++) {
      await writer.append(makeTestEvent({ requestId: `r${n++}` }));
      await afterEach();
    }
  };
}

async function verifyStored(store: AuditStore) {
  const checkpoints = await store.listCheckpoints();
  const verification = verifyChain(
    await store.list({ limit: 1000 }),
    { k1: key },
    { checkpoints, checkpointPublicKeys: { "cp-k1": signingKey.publicKey } },
  );
  return { checkpoints, verification };
}

describe("checkpointer", () => {
  it("signs checkpoints that verify, from records seen in memory and from another replica's appends alike", async () => {
    const storage = createMemoryAuditStorage();
    const store = createMemoryAuditStore({ storage });
    const otherReplica = createMemoryAuditStore({ storage });
    const errors: string[] = [];
    const checkpointer = startCheckpointer(store, 4, errors);
    const writer = createAuditWriter({
      store,
      seal,
      onCommitted: (records) => checkpointer.observe(records),
    });

    let n = 0;
    const event = () => makeTestEvent({ requestId: `r${n++}` });
    for (let round = 0; round < 5; round++) {
      await Promise.all([writer.append(event()), writer.append(event()), writer.append(event())]);
      await checkpointer.idle();
      // Records this process never observed: the next checkpoint must read them from the store.
      if (round % 2 === 1) await otherReplica.append([event(), event()], seal);
    }
    await writer.flush();
    await checkpointer.checkpointNow();

    const records = await store.list({ limit: 1000 });
    const { checkpoints, verification } = await verifyStored(store);
    expect(errors).toEqual([]);
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    expect(checkpoints.at(-1)?.treeSize).toBe(records.length);
    expect(verification).toMatchObject({
      ok: true,
      count: records.length,
      checkpointsVerified: checkpoints.length,
    });
  });

  it("puts records committed while a checkpoint is being saved into the tree in memory, not read back later", async () => {
    const inner = createMemoryAuditStore();
    const { store: counted, counter } = countingReads(inner);
    let releaseSave: () => void = () => undefined;
    let saving: Promise<void> | null = null;
    const store: AuditStore = {
      ...counted,
      // The first checkpoint's save hangs until released, so batches commit meanwhile.
      saveCheckpoint: async (checkpoint, frontier) => {
        if (saving === null) {
          saving = new Promise<void>((resolve) => {
            releaseSave = resolve;
          });
          await saving;
        }
        await inner.saveCheckpoint(checkpoint, frontier);
      },
    };
    const errors: string[] = [];
    const checkpointer = startCheckpointer(store, 4, errors);
    const writer = createAuditWriter({
      store,
      seal,
      onCommitted: (records) => checkpointer.observe(records),
    });
    const append = sequentialAppender(writer);

    await append(4); // the first checkpoint starts: a new process reads the store once (4 records)
    await expect.poll(() => saving !== null).toBe(true);
    await append(3); // committed while that checkpoint is being saved
    releaseSave();
    await checkpointer.idle();
    await append(1); // the second checkpoint (at 7, scheduled while the first was saving) needs no read either
    await checkpointer.idle();

    expect(errors).toEqual([]);
    expect(counter.recordsReadBack).toBe(4);
    const { checkpoints, verification } = await verifyStored(inner);
    expect(checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([4, 7]);
    expect(verification).toMatchObject({ ok: true, count: 8, checkpointsVerified: 2 });
  });

  it("stops at a gap in the stored chain instead of spinning on it, and says so", async () => {
    const inner = createMemoryAuditStore();
    await inner.append(
      Array.from({ length: 6 }, (_, i) => makeTestEvent({ requestId: `g${i}` })),
      seal,
    );
    const records = await inner.list({ limit: 100 });
    // Record 3 is gone from what the store hands out: pages jump from 2 to 4.
    const store = {
      ...inner,
      list: async (options: Parameters<typeof inner.list>[0]) =>
        records
          .filter((record) => record.seq !== 3 && record.seq > (options?.afterSeq ?? 0))
          .slice(0, options?.limit),
    };
    const errors: string[] = [];
    const checkpointer = startCheckpointer(store, 1000, errors);
    await checkpointer.checkpointNow();
    expect(errors).toEqual([expect.stringMatching(/audit chain broken at seq 4/)]);
    expect((await inner.listCheckpoints()).map((checkpoint) => checkpoint.treeSize)).toEqual([2]);
  });

  describe("after a restart", () => {
    // Process A writes 8 records (checkpoints at 4 and 8, each saved with its frontier); process B then writes 4
    // (checkpoints at 9, its first batch, and at 12 on demand).
    const restart = async (tamper?: (storage: ReturnType<typeof createMemoryAuditStorage>) => void) => {
      const storage = createMemoryAuditStorage();
      const errors: string[] = [];
      const start = () => {
        const { store, counter } = countingReads(createMemoryAuditStore({ storage }));
        const checkpointer = startCheckpointer(store, 4, errors);
        const writer = createAuditWriter({
          store,
          seal,
          onCommitted: (records) => checkpointer.observe(records),
        });
        const append = sequentialAppender(writer, () => checkpointer.idle());
        return { append, counter, checkpointNow: () => checkpointer.checkpointNow() };
      };
      await start().append(8);
      tamper?.(storage);
      const processB = start();
      await processB.append(4); // its first batch (record 9) already starts a checkpoint: none in this process yet
      await processB.checkpointNow();
      const { checkpoints, verification } = await verifyStored(createMemoryAuditStore({ storage }));
      return { readBack: processB.counter.recordsReadBack, checkpoints, verification, errors };
    };

    it("resumes the tree from the last checkpoint's frontier: only newer records are read back", async () => {
      const { readBack, checkpoints, verification, errors } = await restart();
      expect(errors).toEqual([]);
      expect(readBack).toBe(1); // record 9; records 10–12 went into the resumed tree in memory
      expect(checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([4, 8, 9, 12]);
      expect(verification).toMatchObject({ ok: true, count: 12, checkpointsVerified: 4 });
    });

    it("rebuilds from every record when the stored frontier does not fold to the signed root", async () => {
      const { readBack, verification, errors } = await restart((storage) => {
        const saved = storage.frontiers.get(8)!;
        storage.frontiers.set(8, { size: 8, hashes: ["ab".repeat(32)] });
        expect(saved.hashes).toHaveLength(1); // size 8 is one perfect subtree: the forgery keeps the shape
      });
      expect(errors).toEqual([expect.stringMatching(/frontier does not match its signed checkpoint/)]);
      expect(readBack).toBe(9); // records 1–9 hashed again; 10–12 in memory
      expect(verification).toMatchObject({ ok: true, count: 12, checkpointsVerified: 4 });
    });

    it("does not trust a frontier next to a checkpoint it cannot verify (forged row)", async () => {
      const { readBack, errors } = await restart((storage) => {
        const checkpoint = storage.checkpoints.at(-1)!;
        storage.checkpoints[storage.checkpoints.length - 1] = {
          ...checkpoint,
          signature: `${checkpoint.signature.slice(0, -4)}AAAA`,
        };
      });
      expect(errors).toEqual([expect.stringMatching(/frontier does not match its signed checkpoint/)]);
      expect(readBack).toBe(9);
    });
  });
});
