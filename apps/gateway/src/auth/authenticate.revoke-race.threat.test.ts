// Threat: a token revoked while a lookup of it is in flight is cached again from the stale read and keeps working until the cache entry ages out.
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedDatabase, openDatabase } from "../db/open.js";
import type { ApiTokenRecord, TokenStore, UserRecord } from "../stores/types.js";
import { createApiToken, displayPrefixOf, hashApiToken } from "./api-token.js";
import { type CheckedToken, createAuthenticator } from "./authenticate.js";
import { createTtlCache } from "./ttl-cache.js";

/** A token store whose next `findByHash` reads the row, then waits until `release()` before answering. */
function withHeldLookup(store: TokenStore) {
  let hold: { reached: () => void; released: Promise<void> } | null = null;
  let release = () => {};
  const wrapped: TokenStore = {
    ...store,
    async findByHash(tokenHash) {
      const row = await store.findByHash(tokenHash);
      const held = hold;
      hold = null;
      if (held) {
        held.reached();
        await held.released;
      }
      return row;
    },
  };
  return {
    store: wrapped,
    /** Holds the next lookup; resolves once it has read its row. */
    holdNextLookup(): Promise<void> {
      return new Promise((reached) => {
        hold = { reached, released: new Promise((resolve) => (release = resolve)) };
      });
    },
    release: () => release(),
  };
}

describe("a token revoked during an in-flight lookup", () => {
  let database: OpenedDatabase;
  beforeEach(async () => {
    database = await openDatabase({ inMemory: true });
  });
  afterEach(() => database.close());

  it("is not put back in the cache by that lookup, so the next request is refused", async () => {
    const secret = createApiToken((count) => new Uint8Array(randomBytes(count)));
    const token: ApiTokenRecord = await database.stores.tokens.create({
      name: "ci",
      tokenHash: hashApiToken(secret),
      displayPrefix: displayPrefixOf(secret),
      grants: [{ role: "viewer" }],
      createdBy: "operator",
      createdAt: new Date(),
      expiresAt: null,
    });
    const cacheOptions = { ttlMs: 10_000, maxEntries: 100, now: () => Date.now() };
    const caches = {
      tokens: createTtlCache<CheckedToken>(cacheOptions),
      users: createTtlCache<UserRecord>(cacheOptions),
    };
    const unsubscribe = database.stores.changes.subscribe(() => {
      caches.tokens.clear();
      caches.users.clear();
    });
    const held = withHeldLookup(database.stores.tokens);
    const authenticator = createAuthenticator({
      tokens: held.store,
      users: database.stores.users,
      allowRackJwt: async () => false,
      now: () => new Date(),
      cache: caches,
    });

    const lookupReadRow = held.holdNextLookup();
    const inFlight = authenticator.authenticate(secret, "203.0.113.9");
    await lookupReadRow;
    // The revocation commits (and clears the caches) between the lookup's read and its return.
    expect(await database.stores.tokens.revoke(token.id, new Date())).toBe(true);
    held.release();
    // The in-flight request began before the revocation; whatever it answers, it must not cache the live row.
    await inFlight;

    const next = await authenticator.authenticate(secret, "203.0.113.9");
    expect(next).toEqual({ ok: false, reason: `API token ${token.id} is revoked` });
    unsubscribe();
  });
});
