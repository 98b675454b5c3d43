/** `tokens create | list | revoke`: API tokens managed by the operator on the server. */
import { randomBytes } from "node:crypto";
import type { AuditEvent } from "@rack-gateway/audit-chain";
import { type Grant, isPermission, isRole, type Permission, validateGrants } from "@rack-gateway/rbac";
import type { AuditLog } from "../audit/audit-log.js";
import type { ApiTokenRecord, TokenStore } from "../stores/types.js";
import { issueApiToken, operatorCreator, revokeApiToken, TOKEN_NAME_PATTERN } from "../tokens/api-tokens.js";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

const DURATION = /^(\d{1,6})([mhdwy])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;

/** `90d`, `12h`, `30m`, `2w`, `1y` → milliseconds. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match)
    throw new UsageError(`--expires-in must look like 30m, 12h, 90d, 2w or 1y (got ${JSON.stringify(text)})`);
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms <= 0) throw new UsageError("--expires-in must be positive");
  return ms;
}

export interface CreateTokenInput {
  readonly name: string;
  readonly role?: string | undefined;
  readonly permissions?: string | undefined;
  readonly apps?: string | undefined;
  readonly expiresIn?: string | undefined;
}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** Turns command-line flags into grants, refusing anything the rbac model rejects. */
export function grantsFromFlags(input: CreateTokenInput): Grant[] {
  if (!TOKEN_NAME_PATTERN.test(input.name)) {
    throw new UsageError("--name is required: up to 100 letters, digits, spaces and _ . @ : / -");
  }
  if (Boolean(input.role) === Boolean(input.permissions)) {
    throw new UsageError(
      "give exactly one of --role (viewer, ops, deployer, admin, cicd) or --permissions p1,p2",
    );
  }
  const apps = list(input.apps);
  const scope = apps.length > 0 ? { apps } : {};
  let grant: Grant;
  if (input.role) {
    if (!isRole(input.role))
      throw new UsageError(`unknown role ${input.role}: use viewer, ops, deployer, admin or cicd`);
    grant = { role: input.role, ...scope };
  } else {
    const permissions = list(input.permissions);
    const unknown = permissions.filter((permission) => !isPermission(permission));
    if (unknown.length > 0) throw new UsageError(`unknown permission(s): ${unknown.join(", ")}`);
    grant = { permissions: permissions as Permission[], ...scope };
  }
  const problem = validateGrants([grant], { kind: "token" });
  if (problem) throw new UsageError(problem);
  return [grant];
}

export async function createTokenCommand(
  deps: {
    tokens: TokenStore;
    audit: AuditLog;
    now: () => Date;
    actor: AuditEvent["actor"];
    requestId: string;
  },
  input: CreateTokenInput,
): Promise<{ token: string; record: ApiTokenRecord }> {
  const grants = grantsFromFlags(input);
  const expiresAt = input.expiresIn ? new Date(deps.now().getTime() + parseDuration(input.expiresIn)) : null;
  return issueApiToken(
    { ...deps, random: (count) => new Uint8Array(randomBytes(count)) },
    {
      name: input.name,
      creator: operatorCreator(deps.actor),
      grants,
      expiresAt,
      reason: "API token created by the server operator",
    },
  );
}

export async function revokeTokenCommand(
  deps: {
    tokens: TokenStore;
    audit: AuditLog;
    now: () => Date;
    actor: AuditEvent["actor"];
    requestId: string;
  },
  id: string,
): Promise<boolean> {
  return (await revokeApiToken(deps, id, "API token revoked by the server operator")) !== null;
}

export function describeGrants(grants: readonly Grant[]): string {
  return grants
    .map((grant) => {
      const what = "role" in grant ? grant.role : grant.permissions.join("+");
      return grant.apps ? `${what} (apps: ${grant.apps.join(",")})` : what;
    })
    .join("; ");
}
