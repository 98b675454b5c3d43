/**
 * A small in-memory cache with a time-to-live and a size bound, for credential and settings lookups on the hot
 * path. Correctness never rests on the TTL: every change to a credential or setting clears the caches through the
 * change feed (db/change-feed.ts); the TTL only bounds how stale another process can be if a notification is lost.
 *
 * A lookup races a change: it may read a row just before a revocation commits and get back to the cache just
 * after the change feed cleared it. So every `clear()` starts a new generation, and `set` takes the generation
 * read before the lookup began: a value read before a clear is dropped, never cached.
 *
 * @example
 * const generation = cache.generation();
 * const token = await store.findByHash(hash);
 * if (token) cache.set(hash, token, generation);
 */
export interface TtlCache<V> {
  get(key: string): V | undefined;
  /** The current generation; read it before looking a value up, and pass it to `set`. */
  generation(): number;
  /** Caches `value` unless the cache was cleared since `generation` was read (then it may be stale). */
  set(key: string, value: V, generation: number): void;
  delete(key: string): void;
  /** Drops every entry and starts a new generation. */
  clear(): void;
}

export function createTtlCache<V>(options: {
  ttlMs: number;
  maxEntries: number;
  now: () => number;
}): TtlCache<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  let currentGeneration = 0;
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
    generation() {
      return currentGeneration;
    },
    set(key, value, generation) {
      if (generation !== currentGeneration) return;
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
      currentGeneration += 1;
      entries.clear();
    },
  };
}

/**
 * The cached value for `key`, or else `load()`'s, cached when `keep` allows — with the generation read before the
 * load, so a value that raced a change is returned but not remembered. Without a cache it is just `load()`.
 */
export async function readThrough<V>(
  cache: TtlCache<V> | undefined,
  key: string,
  load: () => Promise<V | null>,
  keep: (value: V) => boolean = () => true,
): Promise<V | null> {
  const cached = cache?.get(key);
  if (cached !== undefined) return cached;
  const generation = cache?.generation() ?? 0;
  const value = await load();
  if (value !== null && keep(value)) cache?.set(key, value, generation);
  return value;
}
