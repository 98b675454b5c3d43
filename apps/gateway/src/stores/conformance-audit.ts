/** Audit store conformance cases (registered by `describeStoresConformance`). */
import type { SealFunction, SignedCheckpoint } from "@rack-gateway/audit-chain";
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";
import { expectValidChain, makeEvent, readAll, seal } from "./conformance-audit-helpers.js";

export function describeAuditConformance(context: ConformanceContext): void {
  describe("audit", () => {
    it("starts empty", async () => {
      const { audit } = context().stores;
      expect(await audit.head()).toBeNull();
      expect(await audit.count()).toBe(0);
      expect(await audit.list({ limit: 10 })).toEqual([]);
      expect(await audit.append([], seal)).toEqual([]);
    });

    it("appends batches onto the head and reads them back in order", async () => {
      const { audit } = context().stores;
      const firstBatch = await audit.append([makeEvent(1), makeEvent(2), makeEvent(3)], seal);
      expect(firstBatch.map((record) => record.seq)).toEqual([1, 2, 3]);
      const secondBatch = await audit.append([makeEvent(4)], seal);
      expect(secondBatch[0]?.prevHash).toBe(firstBatch[2]?.hash);
      expect(await audit.head()).toEqual({ seq: 4, hash: secondBatch[0]?.hash });
      expect(await audit.count()).toBe(4);
      expect(await audit.list({ limit: 10 })).toEqual([...firstBatch, ...secondBatch]);
    });

    it("pages by seq", async () => {
      const { audit } = context().stores;
      await audit.append(
        Array.from({ length: 10 }, (_, index) => makeEvent(index)),
        seal,
      );
      const page = await audit.list({ afterSeq: 4, limit: 3 });
      expect(page.map((record) => record.seq)).toEqual([5, 6, 7]);
      expect(await audit.list({ afterSeq: 10, limit: 3 })).toEqual([]);
      await expect(audit.list({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(audit.list({ afterSeq: -1, limit: 1 })).rejects.toThrow(RangeError);
    });

    it("reads back exactly the event it stored, byte for byte", async () => {
      const { audit } = context().stores;
      const event = makeEvent(1, {
        actor: { type: "token", id: "tok-1", name: "ci", onBehalfOf: "alice@example.com" },
        app: "web",
        params: { zeta: "last", alpha: "nul\u0000byte", nested: { b: [1, 2.5, null, true], a: "é🚀\u2028" } },
        detail: { lone: "\ud800", empty: {}, list: [] },
        latencyMs: 12.75,
        decision: "deny",
        status: 403,
      });
      const [stored] = await audit.append([event], seal);
      const [read] = await audit.list({ limit: 1 });
      expect(read).toStrictEqual(stored);
      expect(JSON.stringify(read?.event)).toBe(JSON.stringify(event));
      expect(Object.keys(read?.event.params ?? {})).toEqual(["zeta", "alpha", "nested"]);
    });

    it("stores a whole batch or none of it", async () => {
      const { audit } = context().stores;
      await audit.append([makeEvent(0)], seal);
      let calls = 0;
      const failingSeal: SealFunction = (previous, event) => {
        calls++;
        if (calls === 3) throw new Error("key store unavailable");
        return seal(previous, event);
      };
      await expect(audit.append([makeEvent(1), makeEvent(2), makeEvent(3)], failingSeal)).rejects.toThrow(
        "key store unavailable",
      );
      expect(await audit.count()).toBe(1);
      expect((await audit.head())?.seq).toBe(1);
    });

    it("refuses a seal function whose records do not extend the head", async () => {
      const { audit } = context().stores;
      await audit.append([makeEvent(0)], seal);
      const forking: SealFunction = (_previous, event) => seal(null, event);
      await expect(audit.append([makeEvent(1)], forking)).rejects.toThrow(TypeError);
      expect(await audit.count()).toBe(1);
    });

    it("serializes 8 concurrent appends into one gapless chain", async () => {
      const { audit } = context().stores;
      const batches = Array.from({ length: 8 }, (_, writer) =>
        Array.from({ length: 5 }, (_, index) =>
          makeEvent(writer * 10 + index, { requestId: `w${writer}-${index}` }),
        ),
      );
      const results = await Promise.all(batches.map((batch) => audit.append(batch, seal)));
      for (const records of results) {
        const seqs = records.map((record) => record.seq);
        expect(seqs).toEqual(Array.from({ length: 5 }, (_, index) => (seqs[0] ?? 0) + index));
      }
      expectValidChain(await readAll(context().stores), 40);
    });

    it("saves checkpoints and lists them by tree size", async () => {
      const { audit } = context().stores;
      const checkpoint = (treeSize: number): SignedCheckpoint => ({
        treeSize,
        rootHash: treeSize.toString(16).padStart(64, "a"),
        chainHash: treeSize.toString(16).padStart(64, "b"),
        time: "2026-03-01T10:00:00Z",
        signingKeyId: "ed25519-2026",
        signature: `sig-${treeSize}_-`,
      });
      await audit.saveCheckpoint(checkpoint(20));
      await audit.saveCheckpoint(checkpoint(10));
      expect(await audit.listCheckpoints()).toStrictEqual([checkpoint(10), checkpoint(20)]);
    });
  });
}
