/**
 * A small in-memory cache with a time-to-live and a size bound, for credential and settings lookups on the hot
 * path. Correctness never rests on the TTL: every change to a credential or setting clears the caches through the
 * change feed (db/change-feed.ts); the TTL only bounds how stale another process can be if a notification is lost.
 */
export interface TtlCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  clear(): void;
}

export function createTtlCache<V>(options: {
  ttlMs: number;
  maxEntries: number;
  now: () => number;
}): TtlCache<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= options.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value) {
      // Maps keep insertion order: dropping the first key evicts the oldest entry.
      if (entries.size >= options.maxEntries && !entries.has(key)) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { value, expiresAt: options.now() + options.ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
  };
}
