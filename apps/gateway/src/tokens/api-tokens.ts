/**
 * Issuing and revoking API tokens, audited: one implementation for the operator's `tokens` command and the
 * admin API (`/api/v1/tokens`). The token itself is returned once and never stored, logged or audited.
 */
import type { AuditActor } from "@rack-gateway/audit-chain";
import type { Grant } from "@rack-gateway/rbac";
import type { AuditLog } from "../audit/audit-log.js";
import { createApiToken, displayPrefixOf, hashApiToken } from "../auth/api-token.js";
import type { ApiTokenRecord, TokenStore } from "../stores/types.js";

/** Up to 100 letters, digits, spaces and `_ . @ : / -`. */
export const TOKEN_NAME_PATTERN = /^[\w .@:/-]{1,100}$/;

export interface TokenLifecycleDeps {
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  readonly now: () => Date;
  readonly random: (byteCount: number) => Uint8Array;
  readonly actor: AuditActor;
  readonly requestId: string;
}

/** Who is making a token, as stored with it (see ApiTokenRecord). */
export interface TokenCreator {
  /** Stored as `createdBy`: a person's email, or the operator. */
  readonly name: string;
  /** The person whose access will bound the token for as long as it lives; null for the operator. */
  readonly userId: string | null;
  /** The token making this one, if one is. */
  readonly tokenId: string | null;
}

export interface IssueTokenInput {
  readonly name: string;
  readonly creator: TokenCreator;
  /** Already validated (`validateGrants(grants, { kind: "token" })`) and, for a person, contained. */
  readonly grants: readonly Grant[];
  readonly expiresAt: Date | null;
  /** Why, for the audit event (e.g. "API token created by the server operator"). */
  readonly reason: string;
}

/** The server operator as a token's creator: no person behind it, so nothing bounds it but its own grants. */
export function operatorCreator(actor: AuditActor): TokenCreator {
  return { name: actor.name ?? actor.id ?? "operator", userId: null, tokenId: null };
}

/**
 * A token made with another token belongs to the person behind that one: it is bounded by their access, and
 * by the parent's lifetime (see `capExpiry`).
 */
export function creatorThroughToken(parent: ApiTokenRecord): TokenCreator {
  return { name: parent.createdBy, userId: parent.createdByUserId, tokenId: parent.id };
}

/** A child token never outlives the token that made it. */
export function capExpiry(requested: Date | null, parent: ApiTokenRecord | null): Date | null {
  if (!parent?.expiresAt) return requested;
  if (requested === null || requested.getTime() > parent.expiresAt.getTime()) return parent.expiresAt;
  return requested;
}

/** Creates a token and records `token.create` durably (never the token); returns the token once. */
export async function issueApiToken(
  deps: TokenLifecycleDeps,
  input: IssueTokenInput,
): Promise<{ token: string; record: ApiTokenRecord }> {
  if (!TOKEN_NAME_PATTERN.test(input.name)) {
    throw new TypeError("issueApiToken: name must be 1-100 letters, digits, spaces and _ . @ : / -");
  }
  const now = deps.now();
  const token = createApiToken(deps.random);
  const record = await deps.tokens.create({
    name: input.name,
    tokenHash: hashApiToken(token),
    displayPrefix: displayPrefixOf(token),
    grants: input.grants,
    createdBy: input.creator.name,
    createdByUserId: input.creator.userId,
    createdByTokenId: input.creator.tokenId,
    createdAt: now,
    expiresAt: input.expiresAt,
  });
  await deps.audit.recordDurably({
    time: now.toISOString(),
    requestId: deps.requestId,
    actor: deps.actor,
    action: "token.create",
    decision: "allow",
    reason: input.reason,
    detail: {
      tokenId: record.id,
      name: record.name,
      displayPrefix: record.displayPrefix,
      grants: JSON.parse(JSON.stringify(record.grants)),
      expiresAt: record.expiresAt ? record.expiresAt.toISOString() : null,
    },
  });
  return { token, record };
}

/**
 * Revokes a token at once and records `token.revoke` durably. Returns the token as it was before, or null when
 * no active token has that id (unknown, malformed or already revoked).
 */
export async function revokeApiToken(
  deps: Omit<TokenLifecycleDeps, "random">,
  id: string,
  reason: string,
): Promise<ApiTokenRecord | null> {
  const now = deps.now();
  const existing = await deps.tokens.findById(id);
  if (!existing || !(await deps.tokens.revoke(existing.id, now))) return null;
  await deps.audit.recordDurably({
    time: now.toISOString(),
    requestId: deps.requestId,
    actor: deps.actor,
    action: "token.revoke",
    decision: "allow",
    reason,
    detail: { tokenId: existing.id, name: existing.name, displayPrefix: existing.displayPrefix },
  });
  return existing;
}

export function tokenStatus(record: ApiTokenRecord, now: Date): "active" | "revoked" | "expired" {
  if (record.revokedAt) return "revoked";
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

/**
 * Status as a list shows it: an active token that is refused on use anyway (see `Authenticator.suspensionOf`) is
 * `suspended`, with the reason.
 */
export async function listedTokenStatus(
  record: ApiTokenRecord,
  now: Date,
  suspensionOf: (token: ApiTokenRecord) => Promise<string | null>,
): Promise<{ status: ReturnType<typeof tokenStatus> | "suspended"; suspendedBecause: string | null }> {
  const status = tokenStatus(record, now);
  const reason = status === "active" ? await suspensionOf(record) : null;
  return reason === null
    ? { status, suspendedBecause: null }
    : { status: "suspended", suspendedBecause: reason };
}

/** A token as shown to people and the CLI: never the token or its hash. */
export function describeApiToken(
  record: ApiTokenRecord,
  now: Date,
  standing: Awaited<ReturnType<typeof listedTokenStatus>> = {
    status: tokenStatus(record, now),
    suspendedBecause: null,
  },
) {
  return {
    id: record.id,
    name: record.name,
    displayPrefix: record.displayPrefix,
    grants: record.grants,
    status: standing.status,
    suspendedBecause: standing.suspendedBecause,
    createdBy: record.createdBy,
    createdByTokenId: record.createdByTokenId,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: record.lastUsedIp,
  };
}
