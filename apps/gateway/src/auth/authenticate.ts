/**
 * Turns a secret presented on the rack proxy into a principal: an API token (`rgw_…`) or a CLI session token
 * (`rgws_…`, from `rack-gateway login`). Tokens are checked for shape and checksum first (no database lookup for
 * garbage), then looked up by hash; revoked and expired credentials fail the same way as unknown ones.
 */
import type { AuditActor } from "@rack-gateway/audit-chain";
import type { Principal } from "@rack-gateway/rbac";
import type { ApiTokenRecord, TokenStore } from "../stores/types.js";
import { hashApiToken, isWellFormedApiToken, SESSION_TOKEN_PREFIX } from "./api-token.js";
import type { SessionIdentity, SessionService } from "./sessions.js";
import type { TtlCache } from "./ttl-cache.js";

export interface Authenticated {
  readonly principal: Principal;
  readonly actor: AuditActor;
  readonly credential:
    | { readonly kind: "api-token"; readonly token: ApiTokenRecord }
    | {
        readonly kind: "session";
        readonly session: SessionIdentity["session"];
        readonly user: SessionIdentity["user"];
      };
}

export type AuthenticationResult =
  | { readonly ok: true; readonly identity: Authenticated }
  | { readonly ok: false; readonly reason: string };

const USE_RECORD_INTERVAL_MS = 60_000;

export interface Authenticator {
  authenticate(secret: string, clientIp: string | null): Promise<AuthenticationResult>;
}

export function createAuthenticator(deps: {
  tokens: TokenStore;
  now: () => Date;
  /** CLI sessions; without it only API tokens are accepted. */
  sessions?: SessionService;
  /** Token records by hash, cleared on every credential change (see ttl-cache.ts). Absent: no caching. */
  cache?: TtlCache<ApiTokenRecord>;
}): Authenticator {
  // Last-used time is written at most once a minute per token: a busy CI token must not turn reads into writes.
  const lastRecorded = new Map<string, number>();
  const findToken = async (tokenHash: string) => {
    const cached = deps.cache?.get(tokenHash);
    if (cached) return cached;
    const token = await deps.tokens.findByHash(tokenHash);
    // Only live tokens are cached: a token created a moment ago must not be refused from a cached "unknown".
    if (token && !token.revokedAt) deps.cache?.set(tokenHash, token);
    return token;
  };

  return {
    async authenticate(secret, clientIp) {
      if (secret.startsWith(SESSION_TOKEN_PREFIX) && deps.sessions) {
        const result = await deps.sessions.authenticate(secret, "cli");
        if (!result.ok) return result;
        const { principal, actor, session, user } = result.identity;
        return { ok: true, identity: { principal, actor, credential: { kind: "session", session, user } } };
      }
      if (!isWellFormedApiToken(secret))
        return { ok: false, reason: "credential is not a well-formed API token" };
      const token = await findToken(hashApiToken(secret));
      if (!token) return { ok: false, reason: "unknown API token" };
      const now = deps.now();
      if (token.revokedAt) return { ok: false, reason: `API token ${token.id} is revoked` };
      if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) {
        return { ok: false, reason: `API token ${token.id} expired at ${token.expiresAt.toISOString()}` };
      }
      const previous = lastRecorded.get(token.id) ?? 0;
      if (now.getTime() - previous >= USE_RECORD_INTERVAL_MS) {
        lastRecorded.set(token.id, now.getTime());
        await deps.tokens.recordUse(token.id, now, clientIp);
      }
      return {
        ok: true,
        identity: {
          principal: { kind: "token", id: token.id, name: token.name, grants: token.grants },
          actor: { type: "token", id: token.id, name: token.name, onBehalfOf: token.createdBy },
          credential: { kind: "api-token", token },
        },
      };
    },
  };
}
