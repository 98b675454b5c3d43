import type { JSONWebKeySet, JWTVerifyGetKey } from "jose";
import { createLocalJWKSet } from "jose";
import { OidcProviderError } from "./errors.js";
import type { FetchLike } from "./http.js";
import { discardBody, readJsonObject, sendRequest } from "./http.js";

/** A fetched key set and when it was fetched. */
export interface JwksEntry {
  readonly getKey: JWTVerifyGetKey;
  readonly fetchedAtMs: number;
}

/** The provider's signing keys, fetched through the injected `fetch` and cached. */
export interface JwksCache {
  /** The cached key set, fetched again once it is older than the TTL. */
  current(): Promise<JwksEntry>;
  /**
   * After a token named a `kid` that `stale` does not hold (key rotation): fetches once more, unless `stale`
   * is younger than the cooldown, so forged `kid`s cannot make us hammer the provider. `null` = no refetch.
   */
  refreshForUnknownKey(stale: JwksEntry): Promise<JwksEntry | null>;
}

/** A token naming an unknown key may trigger at most one refetch per this interval (jose uses the same). */
const REFETCH_COOLDOWN_MS = 30_000;

export function createJwksCache(options: {
  resolveJwksUri: () => Promise<string>;
  fetch: FetchLike;
  now: () => Date;
  ttlSeconds: number;
  timeoutMs: number;
}): JwksCache {
  let entry: JwksEntry | null = null;
  let pending: Promise<JwksEntry> | null = null;

  async function load(): Promise<JwksEntry> {
    const url = await options.resolveJwksUri();
    const response = await sendRequest(
      options.fetch,
      new Request(url, { method: "GET", headers: { accept: "application/json" } }),
      options.timeoutMs,
    );
    if (response.status !== 200) {
      await discardBody(response);
      throw new OidcProviderError(`JWKS endpoint ${url} answered ${response.status}`, {
        url,
        status: response.status,
      });
    }
    const document = await readJsonObject(response, url);
    let getKey: JWTVerifyGetKey;
    try {
      getKey = createLocalJWKSet(document as unknown as JSONWebKeySet);
    } catch (cause) {
      throw new OidcProviderError(`JWKS from ${url} is not a JSON Web Key Set`, { url, cause });
    }
    return { getKey, fetchedAtMs: options.now().getTime() };
  }

  function refetch(): Promise<JwksEntry> {
    pending ??= load()
      .then((loaded) => {
        entry = loaded;
        return loaded;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  return {
    current() {
      if (entry !== null && options.now().getTime() - entry.fetchedAtMs < options.ttlSeconds * 1000) {
        return Promise.resolve(entry);
      }
      return refetch();
    },
    async refreshForUnknownKey(stale) {
      if (entry !== null && entry !== stale) return entry;
      if (options.now().getTime() - stale.fetchedAtMs < REFETCH_COOLDOWN_MS) return null;
      return refetch();
    },
  };
}
