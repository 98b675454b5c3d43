/** Rate-limit store conformance cases (registered by `describeStoresConformance`). */
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";

const minute = 60_000;
const at = (iso: string) => new Date(iso);

export function describeRateLimitConformance(context: ConformanceContext): void {
  describe("rate limits", () => {
    it("counts hits in a sliding window: the previous window weighs in by how much of it is still recent", async () => {
      const { rateLimits } = context().stores;
      const hit = (time: string) => rateLimits.hit("login:203.0.113.9", minute, at(time));
      expect(await hit("2026-03-01T10:00:00.000Z")).toBe(1);
      expect(await hit("2026-03-01T10:00:30.000Z")).toBe(2);
      expect(await hit("2026-03-01T10:00:59.999Z")).toBe(3);
      // Just past the boundary the three earlier hits still count in full: no fresh allowance at 10:01.
      expect(await hit("2026-03-01T10:01:00.000Z")).toBe(4);
      // Half-way through, half of them, rounded up: 2 in this window + ceil(3 × 0.5).
      expect(await hit("2026-03-01T10:01:30.000Z")).toBe(4);
      // Near the end of the next window, the 10:01 hits have all but aged out: 1 + ceil(2 × 1/60).
      expect(await hit("2026-03-01T10:02:59.000Z")).toBe(2);
      // After a quiet window, nothing from the past counts.
      expect(await hit("2026-03-01T10:05:00.000Z")).toBe(1);
    });

    it("peeks without counting", async () => {
      const { rateLimits } = context().stores;
      const now = at("2026-03-01T10:00:10.000Z");
      expect(await rateLimits.peek("api:alice", minute, now)).toBe(0);
      await rateLimits.hit("api:alice", minute, now);
      expect(await rateLimits.peek("api:alice", minute, now)).toBe(1);
      expect(await rateLimits.peek("api:alice", minute, now)).toBe(1);
    });

    it("counts 50 concurrent hits exactly", async () => {
      const { rateLimits } = context().stores;
      const now = at("2026-03-01T10:00:10.000Z");
      const counts = await Promise.all(
        Array.from({ length: 50 }, () => rateLimits.hit("burst", minute, now)),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      expect(await rateLimits.peek("burst", minute, now)).toBe(50);
    });

    it("keeps separate keys apart", async () => {
      const { rateLimits } = context().stores;
      const now = at("2026-03-01T10:00:10.000Z");
      await rateLimits.hit("a", minute, now);
      await rateLimits.hit("a", minute, now);
      expect(await rateLimits.hit("b", minute, now)).toBe(1);
      expect(await rateLimits.peek("a", minute, now)).toBe(2);
    });

    it("prunes only windows that have ended", async () => {
      const { rateLimits } = context().stores;
      await rateLimits.hit("old", minute, at("2026-03-01T09:58:00.000Z"));
      await rateLimits.hit("ended-now", minute, at("2026-03-01T09:59:00.000Z"));
      await rateLimits.hit("current", minute, at("2026-03-01T10:00:00.000Z"));
      expect(await rateLimits.prune(at("2026-03-01T10:00:00.000Z"))).toBe(2);
      expect(await rateLimits.peek("old", minute, at("2026-03-01T09:58:00.000Z"))).toBe(0);
      expect(await rateLimits.peek("current", minute, at("2026-03-01T10:00:00.000Z"))).toBe(1);
      expect(await rateLimits.prune(at("2026-03-01T10:00:00.000Z"))).toBe(0);
    });

    it("rejects a window that is not a positive whole number of milliseconds", async () => {
      const { rateLimits } = context().stores;
      const now = at("2026-03-01T10:00:00.000Z");
      await expect(rateLimits.hit("k", 0, now)).rejects.toThrow(RangeError);
      await expect(rateLimits.peek("k", 1.5, now)).rejects.toThrow(/windowMs/);
    });
  });
}
