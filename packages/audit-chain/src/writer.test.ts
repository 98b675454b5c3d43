import { describe, expect, it } from "vitest";
import {
  type AuditEvent,
  type AuditRecord,
  type AuditStore,
  AuditWriteError,
  createAuditWriter,
  createChainSealer,
  createMemoryAuditStore,
  verifyChain,
} from "./index.js";
import { makeTestEvent, TEST_CHAIN_KEY } from "./testing/index.js";

const KEYS = { k1: TEST_CHAIN_KEY };
const seal = createChainSealer({ keys: KEYS, currentKeyId: "k1" });

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function defer(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A memory store that records batch sizes, can hold call n until released, and can fail call n. */
function instrumentedStore(options: { hold?: Map<number, Deferred>; fail?: Map<number, Error> } = {}) {
  const inner = createMemoryAuditStore();
  const batchSizes: number[] = [];
  const store: AuditStore = {
    ...inner,
    async append(events, sealFn) {
      const call = batchSizes.push(events.length);
      await options.hold?.get(call)?.promise;
      const failure = options.fail?.get(call);
      if (failure !== undefined) throw failure;
      return inner.append(events, sealFn);
    },
  };
  return { store, inner, batchSizes };
}

const event = (id: string) => makeTestEvent({ requestId: id });

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

describe("createAuditWriter", () => {
  it("group-commits concurrent appends: fewer store calls than events, one valid chain", async () => {
    const { store, inner, batchSizes } = instrumentedStore();
    const writer = createAuditWriter({ store, seal });
    const writers = Array.from({ length: 8 }, async (_, w) => {
      const records: AuditRecord[] = [];
      for (let i = 0; i < 25; i++) records.push(await writer.append(event(`w${w}-${i}`)));
      return records;
    });
    const burst = Array.from({ length: 50 }, (_, i) => writer.append(event(`burst-${i}`)));
    const [perWriter, burstRecords] = await Promise.all([Promise.all(writers), Promise.all(burst)]);
    expect(batchSizes.reduce((sum, size) => sum + size, 0)).toBe(250);
    expect(batchSizes.length).toBeLessThan(250);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    perWriter.forEach((records, w) => {
      expect(records.map((record) => record.event.requestId)).toEqual(records.map((_, i) => `w${w}-${i}`));
    });
    expect(burstRecords.map((record) => record.event.requestId)).toEqual(burst.map((_, i) => `burst-${i}`));
    const all = await inner.list({ limit: 1000 });
    expect(verifyChain(all, KEYS)).toMatchObject({ ok: true, count: 250 });
  });

  it("queues events arriving during an in-flight append into the next single batch", async () => {
    const hold = new Map([[1, defer()]]);
    const { store, batchSizes } = instrumentedStore({ hold });
    const writer = createAuditWriter({ store, seal });
    const first = writer.append(event("a"));
    await Promise.resolve();
    await Promise.resolve();
    const later = [writer.append(event("b")), writer.append(event("c")), writer.append(event("d"))];
    let firstSettled = false;
    void first.then(() => {
      firstSettled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(firstSettled).toBe(false); // not resolved before the store commits
    expect(batchSizes).toEqual([1]);
    hold.get(1)?.resolve();
    const records = await Promise.all([first, ...later]);
    expect(batchSizes).toEqual([1, 3]);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4]);
  });

  it("splits a long queue into batches of at most maxBatchSize", async () => {
    const { store, batchSizes } = instrumentedStore();
    const writer = createAuditWriter({ store, seal, maxBatchSize: 2 });
    await Promise.all(["a", "b", "c", "d", "e"].map((id) => writer.append(event(id))));
    expect(batchSizes).toEqual([2, 2, 1]);
  });

  it("rejects exactly the callers of a failed batch with AuditWriteError, and later batches still commit", async () => {
    const cause = new Error("connection reset");
    const hold = new Map([
      [1, defer()],
      [2, defer()],
    ]);
    const { store, inner, batchSizes } = instrumentedStore({ hold, fail: new Map([[2, cause]]) });
    const writer = createAuditWriter({ store, seal });
    const a = settle(writer.append(event("a")));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const b = settle(writer.append(event("b")));
    const c = settle(writer.append(event("c")));
    hold.get(1)?.resolve();
    await new Promise((resolve) => setTimeout(resolve, 1));
    const d = settle(writer.append(event("d"))); // queued while the failing batch is in flight
    hold.get(2)?.resolve();
    const [ra, rb, rc, rd] = await Promise.all([a, b, c, d]);
    expect(batchSizes).toEqual([1, 2, 1]);
    expect(ra.value).toMatchObject({ seq: 1 });
    for (const failed of [rb, rc]) {
      expect(failed.error).toBeInstanceOf(AuditWriteError);
      expect(failed.error).toMatchObject({
        name: "AuditWriteError",
        code: "BATCH_FAILED",
        batchSize: 2,
        cause,
      });
    }
    expect(rd.value).toMatchObject({ seq: 2, prevHash: ra.value?.hash });
    expect(rd.value?.event.requestId).toBe("d");
    const stored = await inner.list({ limit: 10 });
    expect(stored.map((record) => record.event.requestId)).toEqual(["a", "d"]);
    expect(verifyChain(stored, KEYS)).toMatchObject({ ok: true, count: 2 });
  });

  it("treats a store that returns the wrong number of records as a failed batch", async () => {
    const inner = createMemoryAuditStore();
    const store: AuditStore = {
      ...inner,
      append: async (events, sealFn) => (await inner.append(events, sealFn)).slice(1),
    };
    const writer = createAuditWriter({ store, seal });
    await expect(writer.append(event("a"))).rejects.toMatchObject({ code: "BATCH_FAILED" });
  });

  it("rejects a malformed event with TypeError, alone, before it is queued", async () => {
    const { store, inner, batchSizes } = instrumentedStore();
    const writer = createAuditWriter({ store, seal });
    const malformed = { ...event("bad"), decision: "perhaps" } as unknown as AuditEvent;
    const loneSurrogate = event("\ud800");
    const results = await Promise.all([
      settle(writer.append(event("ok-1"))),
      settle(writer.append(malformed)),
      settle(writer.append(loneSurrogate)),
      settle(writer.append(event("ok-2"))),
    ]);
    expect(results[1]?.error).toBeInstanceOf(TypeError);
    expect(results[2]?.error).toBeInstanceOf(TypeError);
    expect(results[0]?.value).toMatchObject({ seq: 1 });
    expect(results[3]?.value).toMatchObject({ seq: 2 });
    expect(batchSizes).toEqual([2]);
    expect(await inner.count()).toBe(2);
  });

  it("flush waits for every queued event; close refuses new ones with WRITER_CLOSED", async () => {
    const hold = new Map([[1, defer()]]);
    const { store, inner } = instrumentedStore({ hold });
    const writer = createAuditWriter({ store, seal });
    const pending = [writer.append(event("a")), writer.append(event("b"))];
    const flushed = writer.flush();
    setTimeout(() => hold.get(1)?.resolve(), 5);
    await flushed;
    expect(await inner.count()).toBe(2);
    await Promise.all(pending);
    const late = writer.append(event("c"));
    await writer.close();
    await late;
    expect(await inner.count()).toBe(3);
    await expect(writer.append(event("d"))).rejects.toMatchObject({
      name: "AuditWriteError",
      code: "WRITER_CLOSED",
    });
    await writer.flush();
  });

  it("reports committed batches to onCommitted in order, and ignores an observer that throws", async () => {
    const seen: number[][] = [];
    const { store } = instrumentedStore();
    const writer = createAuditWriter({
      store,
      seal,
      maxBatchSize: 2,
      onCommitted: (records) => {
        seen.push(records.map((record) => record.seq));
        throw new Error("observer bug");
      },
    });
    const records = await Promise.all(["a", "b", "c"].map((id) => writer.append(event(id))));
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(seen).toEqual([[1, 2], [3]]);
  });

  it("rejects a nonsensical maxBatchSize with RangeError", () => {
    const store = createMemoryAuditStore();
    expect(() => createAuditWriter({ store, seal, maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => createAuditWriter({ store, seal, maxBatchSize: 1.5 })).toThrow(RangeError);
  });

  describe("batchDelayMs: events nobody waits on may wait to share a batch", () => {
    // A delay far longer than the test timeout: a test only passes if something ends the wait early.
    const LONG = 60_000;

    it("gathers non-urgent events appended over several ticks into one batch", async () => {
      const { store, inner, batchSizes } = instrumentedStore();
      const writer = createAuditWriter({ store, seal, batchDelayMs: 30 });
      const appended = [writer.append(event("a"), { urgent: false })];
      await new Promise((resolve) => setTimeout(resolve, 5));
      appended.push(writer.append(event("b"), { urgent: false }));
      await new Promise((resolve) => setImmediate(resolve));
      appended.push(writer.append(event("c"), { urgent: false }));
      await Promise.all(appended);
      expect(batchSizes).toEqual([3]);
      expect(verifyChain(await inner.list({ limit: 10 }), KEYS)).toMatchObject({ ok: true, count: 3 });
    });

    it("writes at once when an urgent event arrives, taking the waiting ones along", async () => {
      const { store, batchSizes } = instrumentedStore();
      const writer = createAuditWriter({ store, seal, batchDelayMs: LONG });
      const waiting = writer.append(event("read"), { urgent: false });
      await new Promise((resolve) => setImmediate(resolve));
      const urgent = await writer.append(event("mutation"));
      expect(urgent.seq).toBe(2);
      expect((await waiting).seq).toBe(1);
      expect(batchSizes).toEqual([2]);
    });

    it("writes at once when the batch is full, and when flushed or closed", async () => {
      const { store, batchSizes } = instrumentedStore();
      const writer = createAuditWriter({ store, seal, batchDelayMs: LONG, maxBatchSize: 2 });
      await Promise.all([
        writer.append(event("1"), { urgent: false }),
        writer.append(event("2"), { urgent: false }),
      ]);
      const pending = writer.append(event("3"), { urgent: false });
      await writer.flush();
      expect((await pending).seq).toBe(3);
      const last = writer.append(event("4"), { urgent: false });
      await writer.close();
      expect((await last).seq).toBe(4);
      expect(batchSizes).toEqual([2, 1, 1]);
    });

    it("rejects a nonsensical batchDelayMs with RangeError", () => {
      const store = createMemoryAuditStore();
      expect(() => createAuditWriter({ store, seal, batchDelayMs: -1 })).toThrow(RangeError);
      expect(() => createAuditWriter({ store, seal, batchDelayMs: Number.NaN })).toThrow(RangeError);
    });
  });
});
