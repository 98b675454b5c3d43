/**
 * The AuditStore conformance suite. Every AuditStore (memory, PGlite, PostgreSQL) must pass it: it pins the
 * port's contract — gapless seqs, atomic batches, serialized concurrent appends, exact round trips.
 */
import { describe, expect, it } from "vitest";
import { hashAuditLeaf } from "../audit-leaf.js";
import { createChainSealer, GENESIS_HASH } from "../chain-hash.js";
import { createCheckpoint, deriveCheckpointSigningKey, exportPublicKey } from "../checkpoint.js";
import type { AuditEvent } from "../event.js";
import { createMerkleTreeBuilder } from "../merkle-builder.js";
import type { AuditRecord, AuditStore, SealFunction } from "../store.js";
import { verifyChain } from "../verify.js";
import { makeTestEvent } from "./make-test-event.js";

/** One store on fresh, empty storage, plus how to dispose of it. */
export interface AuditStoreFixture {
  readonly store: AuditStore;
  /** Releases the store and its storage (and anything `openSecond` opened on it). */
  cleanup(): Promise<void>;
}

export interface AuditStoreConformanceOptions<F extends AuditStoreFixture> {
  /**
   * Opens a second, independent handle (another pool, another process) on the same storage as `fixture`.
   * When given, the suite proves two handles appending at once still build one valid chain.
   */
  readonly openSecond?: (fixture: F) => Promise<AuditStoreFixture>;
}

const KEY_ID = "conformance-1";
const KEYS = { [KEY_ID]: new Uint8Array(32).fill(0x5a) };
const SEAL = createChainSealer({ keys: KEYS, currentKeyId: KEY_ID });

/**
 * Registers vitest `describe`/`it` blocks that check `factory`'s stores against the AuditStore contract.
 * `factory` must return a store on empty storage each time it is called.
 *
 * @example
 * describeAuditStoreConformance("memory", async () => ({ store: createMemoryAuditStore(), cleanup: async () => {} }));
 */
export function describeAuditStoreConformance<F extends AuditStoreFixture>(
  name: string,
  factory: () => Promise<F>,
  options: AuditStoreConformanceOptions<F> = {},
): void {
  const withStore = async (run: (store: AuditStore, fixture: F) => Promise<void>): Promise<void> => {
    const fixture = await factory();
    try {
      await run(fixture.store, fixture);
    } finally {
      await fixture.cleanup();
    }
  };

  describe(`AuditStore conformance: ${name}`, () => {
    it("starts empty", () =>
      withStore(async (store) => {
        expect(await store.head()).toBeNull();
        expect(await store.count()).toBe(0);
        expect(await store.list({ limit: 10 })).toEqual([]);
        expect(await store.listCheckpoints()).toEqual([]);
      }));

    it("appends the first record onto the genesis hash", () =>
      withStore(async (store) => {
        const event = makeTestEvent();
        const [record, ...rest] = await store.append([event], SEAL);
        expect(rest).toEqual([]);
        expect(record).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, keyId: KEY_ID });
        expect(record?.event).toEqual(event);
        expect(await store.head()).toEqual({ seq: 1, hash: record?.hash });
        expect(await store.count()).toBe(1);
        expect(await store.list({ limit: 10 })).toEqual([record]);
      }));

    it("appends batches in order with seqs from 1 and no gaps", () =>
      withStore(async (store) => {
        const first = await store.append(events(3, "a"), SEAL);
        const second = await store.append(events(4, "b"), SEAL);
        const all = [...first, ...second];
        expect(all.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(second[0]?.prevHash).toBe(first[2]?.hash);
        expect(await store.list({ limit: 100 })).toEqual(all);
        expect(await store.head()).toEqual({ seq: 7, hash: all[6]?.hash });
        expect(verifyChain(all, KEYS)).toMatchObject({ ok: true, count: 7 });
      }));

    it("treats an empty batch as a no-op", () =>
      withStore(async (store) => {
        expect(await store.append([], SEAL)).toEqual([]);
        expect(await store.count()).toBe(0);
        await store.append(events(2, "a"), SEAL);
        expect(await store.append([], SEAL)).toEqual([]);
        expect(await store.count()).toBe(2);
      }));

    it("pages with afterSeq and limit", () =>
      withStore(async (store) => {
        const all = await store.append(events(10, "p"), SEAL);
        const pages: AuditRecord[][] = [];
        for (let afterSeq = 0; ; ) {
          const page = await store.list({ afterSeq, limit: 3 });
          if (page.length === 0) break;
          pages.push(page);
          afterSeq = page.at(-1)?.seq ?? afterSeq;
        }
        expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
        expect(pages.flat()).toEqual(all);
        expect((await store.list({ afterSeq: 4, limit: 2 })).map((record) => record.seq)).toEqual([5, 6]);
        expect((await store.list({ afterSeq: 8, limit: 50 })).map((record) => record.seq)).toEqual([9, 10]);
        expect(await store.list({ afterSeq: 10, limit: 5 })).toEqual([]);
        expect((await store.list({ limit: 1 })).map((record) => record.seq)).toEqual([1]);
      }));

    it("keeps nothing from a batch whose seal throws midway, and continues from the old head", () =>
      withStore(async (store) => {
        const kept = await store.append(events(2, "ok"), SEAL);
        let calls = 0;
        const failOnThird: SealFunction = (previous, event) => {
          calls++;
          if (calls === 3) throw new Error("seal failed");
          return SEAL(previous, event);
        };
        await expect(store.append(events(5, "lost"), failOnThird)).rejects.toThrow("seal failed");
        const malformed = { ...makeTestEvent(), decision: "maybe" } as unknown as AuditEvent;
        await expect(store.append([makeTestEvent(), malformed], SEAL)).rejects.toThrow(TypeError);
        expect(await store.count()).toBe(2);
        expect(await store.head()).toEqual({ seq: 2, hash: kept[1]?.hash });
        expect(await store.list({ limit: 10 })).toEqual(kept);
        const [next] = await store.append(events(1, "after"), SEAL);
        expect(next).toMatchObject({ seq: 3, prevHash: kept[1]?.hash });
        expect(verifyChain(await store.list({ limit: 10 }), KEYS)).toMatchObject({ ok: true, count: 3 });
      }));

    it("serializes concurrent appends from 8 writers x 25 events into one valid chain", () =>
      withStore(async (store) => {
        await Promise.all(Array.from({ length: 8 }, (_, writer) => runWriter(store, writer, 25)));
        await expectOneChainOfAllWriters(store, 8, 25);
      }));

    const { openSecond } = options;
    if (openSecond !== undefined) {
      it("serializes concurrent appends through two handles on the same storage", () =>
        withStore(async (store, fixture) => {
          const second = await openSecond(fixture);
          try {
            const handles = [store, second.store];
            await Promise.all(
              Array.from({ length: 8 }, (_, writer) =>
                runWriter(handles[writer % 2] as AuditStore, writer, 25),
              ),
            );
            await expectOneChainOfAllWriters(store, 8, 25);
            expect(await second.store.head()).toEqual(await store.head());
            expect(await second.store.count()).toBe(200);
          } finally {
            await second.cleanup();
          }
        }));
    }

    it("saves checkpoints and lists them in ascending treeSize order", () =>
      withStore(async (store) => {
        const records = await store.append(events(6, "c"), SEAL);
        const key = deriveCheckpointSigningKey(new Uint8Array(32).fill(7), "cp-test");
        const at = (size: number, minute: number) =>
          createCheckpoint({
            records: records.slice(0, size),
            time: new Date(Date.UTC(2026, 0, 1, 0, minute)),
            signingKey: key,
          });
        const [cp2, cp3, cp4, cp6] = [at(2, 1), at(3, 2), at(4, 3), at(6, 4)];
        await store.saveCheckpoint(cp2);
        await store.saveCheckpoint(cp4);
        await store.saveCheckpoint(cp6);
        expect(await store.listCheckpoints()).toEqual([cp2, cp4, cp6]);
        await store.saveCheckpoint(cp3);
        const listed = await store.listCheckpoints();
        expect(listed).toEqual([cp2, cp3, cp4, cp6]);
        const result = verifyChain(await store.list({ limit: 10 }), KEYS, {
          checkpoints: listed,
          checkpointPublicKeys: { "cp-test": exportPublicKey(key) },
        });
        expect(result).toMatchObject({ ok: true, checkpointsVerified: 4 });
      }));

    it("keeps the frontier saved with a checkpoint, when it keeps frontiers at all", () =>
      withStore(async (store) => {
        if (store.latestCheckpointFrontier === undefined) return; // optional capability
        const records = await store.append(events(5, "f"), SEAL);
        const key = deriveCheckpointSigningKey(new Uint8Array(32).fill(7), "cp-test");
        const checkpointAt = (size: number) => {
          const tree = createMerkleTreeBuilder();
          for (const record of records.slice(0, size)) tree.push(hashAuditLeaf(record));
          const checkpoint = createCheckpoint({
            records: records.slice(0, size),
            time: new Date(Date.UTC(2026, 0, 1, 0, size)),
            signingKey: key,
          });
          return { checkpoint, frontier: tree.frontier() };
        };
        expect(await store.latestCheckpointFrontier()).toBeNull();
        const [two, three, five] = [checkpointAt(2), checkpointAt(3), checkpointAt(5)];
        await store.saveCheckpoint(two.checkpoint, two.frontier);
        await store.saveCheckpoint(five.checkpoint); // saved without one
        expect(await store.latestCheckpointFrontier()).toEqual(two);
        await store.saveCheckpoint(three.checkpoint, three.frontier);
        expect(await store.latestCheckpointFrontier()).toEqual(three);
        expect((await store.listCheckpoints()).map((checkpoint) => checkpoint.treeSize)).toEqual([2, 3, 5]);
        // A frontier that cannot belong to the checkpoint is refused, and nothing is saved.
        const four = checkpointAt(4);
        await expect(store.saveCheckpoint(four.checkpoint, three.frontier)).rejects.toThrow(/frontier/);
        expect((await store.listCheckpoints()).map((checkpoint) => checkpoint.treeSize)).toEqual([2, 3, 5]);
      }));

    it("round-trips events exactly: unicode, NUL, emoji, long strings, nested params", () =>
      withStore(async (store) => {
        const tricky = trickyEvents();
        const appended = await store.append(tricky, SEAL);
        const listed = await store.list({ limit: 100 });
        expect(listed).toEqual(appended);
        expect(listed.map((record) => record.event)).toEqual(tricky);
        expect(verifyChain(listed, KEYS)).toMatchObject({ ok: true, count: tricky.length });
      }));
  });
}

function events(count: number, tag: string): AuditEvent[] {
  return Array.from({ length: count }, (_, i) => makeTestEvent({ requestId: `${tag}-${i + 1}` }));
}

// Each writer appends its events one call at a time, so calls from different writers interleave.
async function runWriter(store: AuditStore, writer: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.append([makeTestEvent({ requestId: `w${writer}-${i}` })], SEAL);
  }
}

async function expectOneChainOfAllWriters(
  store: AuditStore,
  writers: number,
  perWriter: number,
): Promise<void> {
  const total = writers * perWriter;
  expect(await store.count()).toBe(total);
  const records = await store.list({ limit: total + 10 });
  expect(records.map((record) => record.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(verifyChain(records, KEYS)).toMatchObject({ ok: true, count: total });
  const ids = records.map((record) => record.event.requestId);
  expect(new Set(ids).size).toBe(total);
  for (let writer = 0; writer < writers; writer++) {
    const own = ids.filter((id) => id.startsWith(`w${writer}-`));
    expect(own).toEqual(Array.from({ length: perWriter }, (_, i) => `w${writer}-${i}`));
  }
  expect(await store.head()).toEqual({ seq: total, hash: records.at(-1)?.hash });
}

function trickyEvents(): AuditEvent[] {
  return [
    makeTestEvent({
      requestId: "unicode-1",
      actor: { type: "user", email: "zoë@exämple.com", name: "Zoë Ångström 中文 עברית" },
      reason: "naïve café — “quoted” ‘text’ ñ ß ø Ω ≠ ∑",
      path: "/apps/caf\u00e9/processes",
    }),
    makeTestEvent({
      requestId: "nul-and-controls",
      reason: 'before\u0000after \u0001\u001f tab\tnewline\nreturn\r quote" backslash\\ slash/',
      userAgent: "agent\u0000with\u0000nuls",
      params: { "key\u0000nul": "value\u0000nul", "\u007f": "del" },
    }),
    makeTestEvent({
      requestId: "emoji",
      reason: "deploy 🚀 by 👩🏽‍💻 with 🇺🇸 flag and 𝄞 clef",
      params: { "emoji😀key": "😀", combining: "e\u0301" },
    }),
    makeTestEvent({
      requestId: "long-strings",
      reason: "r".repeat(2000),
      path: `/${"p".repeat(4095)}`,
      userAgent: "u".repeat(1000),
      detail: { blob: "x".repeat(100_000) },
    }),
    makeTestEvent({
      requestId: "nested",
      actor: { type: "token", id: "tok_123", name: "ci-deploy", onBehalfOf: "admin@example.com" },
      action: "convox.release.create",
      method: "POST",
      app: "web",
      decision: "deny",
      status: 403,
      latencyMs: 0.25,
      clientIp: "2001:db8::1",
      params: {
        env: ["A=1", "SECRET=[REDACTED]"],
        options: { nested: { deeper: { deepest: [1, -2, 3.5, 1e21, 1e-7, 0, true, false, null] } } },
        empty: {},
        emptyList: [],
        mixed: [{ a: 1 }, [[]], "s", 9007199254740991],
      },
      detail: { exitCode: 137, durationMs: 12_345.678 },
    }),
    {
      time: "2026-12-31T23:59:59.999Z",
      requestId: "minimal",
      actor: { type: "system" },
      action: "a",
      decision: "error",
      reason: "",
    },
  ];
}
