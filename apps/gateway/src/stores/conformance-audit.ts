/** Audit cases beyond audit-chain's own AuditStore suite: exact JSON, misbehaving seals, batch contiguity. */
import type { SealFunction } from "@rack-gateway/audit-chain";
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";
import { expectValidChain, makeEvent, readAll, seal } from "./conformance-audit-helpers.js";

export function describeAuditConformance(context: ConformanceContext): void {
  describe("audit", () => {
    it("refuses unbounded or negative paging", async () => {
      const { audit } = context().stores;
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

    it("refuses a seal function whose records do not extend the head", async () => {
      const { audit } = context().stores;
      await audit.append([makeEvent(0)], seal);
      const forking: SealFunction = (_previous, event) => seal(null, event);
      await expect(audit.append([makeEvent(1)], forking)).rejects.toThrow(TypeError);
      expect(await audit.count()).toBe(1);
    });

    it("serializes 8 concurrent multi-event batches into one gapless chain, each batch contiguous", async () => {
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
  });
}
