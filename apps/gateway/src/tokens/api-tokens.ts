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

export interface IssueTokenInput {
  readonly name: string;
  /** Already validated (`validateGrants(grants, { kind: "token" })`) and, for a person, contained. */
  readonly grants: readonly Grant[];
  readonly expiresAt: Date | null;
  /** Why, for the audit event (e.g. "API token created by the server operator"). */
  readonly reason: string;
}

/** Who a token was made by, as stored in `createdBy`: a person's email, else the actor's name. */
export function creatorOf(actor: AuditActor): string {
  return actor.email ?? actor.name ?? actor.id ?? "operator";
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
    createdBy: creatorOf(deps.actor),
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

/** A token as shown to people and the CLI: never the token or its hash. */
export function describeApiToken(record: ApiTokenRecord, now: Date) {
  return {
    id: record.id,
    name: record.name,
    displayPrefix: record.displayPrefix,
    grants: record.grants,
    status: tokenStatus(record, now),
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: record.lastUsedIp,
  };
}
