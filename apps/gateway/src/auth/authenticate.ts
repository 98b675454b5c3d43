/**
 * Turns a secret presented on the rack proxy into a principal: an API token (`rgw_…`) or a CLI session token
 * (`rgws_…`, from `rack-gateway login`). Tokens are checked for shape and checksum first (no database lookup for
 * garbage), then looked up by hash; revoked and expired credentials fail the same way as unknown ones.
 *
 * A token never grants more than its creator holds, for as long as it lives: on every use, every token in the
 * chain that made it must still be live (a revoked parent stops its children), and the person behind the chain
 * must exist, be unlocked and still hold the token's grants. The operator's tokens have no person behind them.
 */
import type { AuditActor } from "@rack-gateway/audit-chain";
import { grantsWithin, type Principal } from "@rack-gateway/rbac";
import type { ApiTokenRecord, TokenStore, UserRecord, UserStore } from "../stores/types.js";
import { hashApiToken, isWellFormedApiToken, SESSION_TOKEN_PREFIX } from "./api-token.js";
import type { SessionIdentity, SessionService } from "./sessions.js";
import { readThrough, type TtlCache } from "./ttl-cache.js";

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

/**
 * A token that passed every check that only a change can undo (revocation, the person's grants or lock), with
 * the first expiry along its chain, which time alone brings and so is checked on every use.
 */
export interface CheckedToken {
  readonly token: ApiTokenRecord;
  readonly firstExpiry: { readonly at: Date; readonly tokenId: string } | null;
}

const USE_RECORD_INTERVAL_MS = 60_000;

/** Tokens made by tokens made by tokens…: a longer chain is refused rather than walked. */
export const MAX_TOKEN_CHAIN_LENGTH = 16;

export interface Authenticator {
  authenticate(secret: string, clientIp: string | null): Promise<AuthenticationResult>;
  /**
   * Why a token that is neither revoked nor expired itself would still be refused right now (a revoked or expired
   * token that made it, or a person who no longer holds its grants), or null when it would be accepted. Lists show
   * such tokens as suspended.
   */
  suspensionOf(token: ApiTokenRecord): Promise<string | null>;
}

export function createAuthenticator(deps: {
  tokens: TokenStore;
  /** The people behind tokens: a token stops granting what its creator no longer holds. */
  users: UserStore;
  /** The `allow_rack_jwt` setting, which widens what an admin holds (see `grantsWithin`). */
  allowRackJwt: () => Promise<boolean>;
  now: () => Date;
  /** CLI sessions; without it only API tokens are accepted. */
  sessions?: SessionService;
  /**
   * Checked tokens by hash and users by id, cleared on every credential change (see ttl-cache.ts), which is what
   * lets a cached check stand for the whole chain and the person. Absent: no caching.
   */
  cache?: { readonly tokens: TtlCache<CheckedToken>; readonly users: TtlCache<UserRecord> };
}): Authenticator {
  // Last-used time is written at most once a minute per token: a busy CI token must not turn reads into writes.
  const lastRecorded = new Map<string, number>();

  const findUser = (id: string) => readThrough(deps.cache?.users, id, () => deps.users.findById(id));

  /** Walks the token's chain and its person; a refusal names why, for the audit event. */
  const check = async (token: ApiTokenRecord): Promise<CheckedToken | { refusal: string }> => {
    let firstExpiry: CheckedToken["firstExpiry"] = null;
    let link = token;
    for (let length = 1; ; length++) {
      if (link.revokedAt) {
        return {
          refusal:
            link === token
              ? `API token ${token.id} is revoked`
              : `API token ${token.id} was made by API token ${link.id}, which is revoked`,
        };
      }
      if (link.expiresAt && (!firstExpiry || link.expiresAt.getTime() < firstExpiry.at.getTime())) {
        firstExpiry = { at: link.expiresAt, tokenId: link.id };
      }
      if (link.createdByTokenId === null) break;
      if (length >= MAX_TOKEN_CHAIN_LENGTH) {
        return { refusal: `API token ${token.id} descends from more than ${MAX_TOKEN_CHAIN_LENGTH} tokens` };
      }
      const parent = await deps.tokens.findById(link.createdByTokenId);
      if (!parent) {
        return {
          refusal: `API token ${token.id} was made by API token ${link.createdByTokenId}, which is gone`,
        };
      }
      link = parent;
    }
    if (token.createdByUserId !== null) {
      const person = await findUser(token.createdByUserId);
      // Deleted for good: a new account with the same email is another person and revives nothing.
      if (!person) return { refusal: `the person who made API token ${token.id} no longer exists` };
      if (person.lockedAt)
        return { refusal: `API token ${token.id} belongs to ${person.email}, who is locked` };
      const within = grantsWithin(token.grants, person.grants, { allowRackJwt: await deps.allowRackJwt() });
      if (!within.ok) {
        return {
          refusal: `API token ${token.id} grants more than ${person.email} now holds: ${within.reason}`,
        };
      }
    }
    return { token, firstExpiry };
  };

  const findCheckedToken = async (tokenHash: string): Promise<CheckedToken | { refusal: string }> => {
    const cached = deps.cache?.tokens.get(tokenHash);
    if (cached) return cached;
    // Read before the lookups: a change landing while they run makes this check stale, and it is not cached.
    const generation = deps.cache?.tokens.generation() ?? 0;
    const token = await deps.tokens.findByHash(tokenHash);
    // Only checked tokens are cached: a token created a moment ago must not be refused from a cached "unknown".
    if (!token) return { refusal: "unknown API token" };
    const checked = await check(token);
    if (!("refusal" in checked)) deps.cache?.tokens.set(tokenHash, checked, generation);
    return checked;
  };

  return {
    async suspensionOf(token) {
      const checked = await check(token);
      if ("refusal" in checked) return checked.refusal;
      const { firstExpiry } = checked;
      if (
        firstExpiry &&
        firstExpiry.tokenId !== token.id &&
        firstExpiry.at.getTime() <= deps.now().getTime()
      ) {
        return `API token ${token.id} was made by API token ${firstExpiry.tokenId}, which expired at ${firstExpiry.at.toISOString()}`;
      }
      return null;
    },
    async authenticate(secret, clientIp) {
      if (secret.startsWith(SESSION_TOKEN_PREFIX) && deps.sessions) {
        const result = await deps.sessions.authenticate(secret, "cli");
        if (!result.ok) return result;
        const { principal, actor, session, user } = result.identity;
        return { ok: true, identity: { principal, actor, credential: { kind: "session", session, user } } };
      }
      if (!isWellFormedApiToken(secret))
        return { ok: false, reason: "credential is not a well-formed API token" };
      const checked = await findCheckedToken(hashApiToken(secret));
      if ("refusal" in checked) return { ok: false, reason: checked.refusal };
      const { token, firstExpiry } = checked;
      const now = deps.now();
      if (firstExpiry && firstExpiry.at.getTime() <= now.getTime()) {
        const expired = `expired at ${firstExpiry.at.toISOString()}`;
        return {
          ok: false,
          reason:
            firstExpiry.tokenId === token.id
              ? `API token ${token.id} ${expired}`
              : `API token ${token.id} was made by API token ${firstExpiry.tokenId}, which ${expired}`,
        };
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
