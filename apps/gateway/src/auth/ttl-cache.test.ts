import { describe, expect, it } from "vitest";
import { createTtlCache } from "./ttl-cache.js";

describe("createTtlCache", () => {
  const cacheAt = (clock: { now: number }, maxEntries = 10) =>
    createTtlCache<string>({ ttlMs: 1_000, maxEntries, now: () => clock.now });

  it("serves a value until its time-to-live ends", () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set("a", "1", cache.generation());
    clock.now = 999;
    expect(cache.get("a")).toBe("1");
    clock.now = 1_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("evicts the oldest entry when full", () => {
    const cache = cacheAt({ now: 0 }, 2);
    for (const key of ["a", "b", "c"]) cache.set(key, key, cache.generation());
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, "b", "c"]);
  });

  it("drops a value read before a clear: it may predate the change that cleared the cache", () => {
    const cache = cacheAt({ now: 0 });
    const before = cache.generation();
    cache.clear();
    cache.set("token", "live", before);
    expect(cache.get("token")).toBeUndefined();
    cache.set("token", "live", cache.generation());
    expect(cache.get("token")).toBe("live");
  });
});
