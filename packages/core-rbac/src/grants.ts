import { describeGrant, judgeGrant } from "./authorize.js";
import {
  CONVOX_PERMISSIONS,
  GATEWAY_PERMISSIONS,
  getPermissionInfo,
  type PermissionInfo,
} from "./permissions.js";
import { roleHolds } from "./role-permissions.js";
import { isRole } from "./roles.js";
import type { AuthorizeOptions, Grant } from "./types.js";

/** Options of grantsWithin(): the rack-JWT setting in force (default off). */
export type GrantsWithinOptions = Pick<AuthorizeOptions, "allowRackJwt">;

/** Options of validateGrants(): who will hold the grants. */
export interface ValidateGrantsOptions {
  readonly kind: "user" | "token";
}

/** A Convox app name: lower-case letters, digits and dashes, starting with a letter (a DNS label). */
const APP_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const GRANT_KEYS = new Set(["role", "permissions", "apps"]);
const everyPermission: readonly PermissionInfo[] = [...CONVOX_PERMISSIONS, ...GATEWAY_PERMISSIONS];
const holderView = { kind: "user", name: "the holder" } as const;

/**
 * Checks that `requested` never grants more than `holder` holds — "a token never grants more than its
 * creator holds". Every permission a requested grant could ever exercise (a `cicd` role counted with an
 * approved deploy) must be authorized for the holder on every app the grant could reach: the listed apps for
 * an app-scoped grant, any app (so an unscoped holder grant) for an unscoped one. An admin may therefore
 * create a `cicd` token; a deployer may not create an admin token, nor widen its app list.
 */
export function grantsWithin(
  requested: readonly Grant[],
  holder: readonly Grant[],
  options: GrantsWithinOptions = {},
): { readonly ok: true } | { readonly ok: false; readonly reason: string } {
  if (!Array.isArray(requested) || !Array.isArray(holder)) {
    throw new TypeError("grantsWithin: pass (requested: Grant[], holder: Grant[])");
  }
  const allowRackJwt = options.allowRackJwt === true;
  for (const grant of requested) {
    const label = `requested ${describeGrant(grant)}`;
    const exercisable = exercisablePermissions(grant, allowRackJwt);
    if (typeof exercisable === "string") return { ok: false, reason: `${label}: ${exercisable}` };
    const apps: readonly (string | undefined)[] = grant.apps === undefined ? [undefined] : grant.apps;
    for (const info of exercisable) {
      // An app-scoped grant reaches only app-scoped permissions, and only on its apps.
      if (grant.apps !== undefined && info.scope !== "app") continue;
      for (const app of info.scope === "app" ? apps : [undefined]) {
        const authorizeOptions = { allowRackJwt, ...(app === undefined ? {} : { app }) };
        if (!holder.some((held) => judgeGrant(holderView, held, info, authorizeOptions).applies)) {
          const where = info.scope !== "app" ? "" : app === undefined ? " on any app" : ` on app ${app}`;
          return {
            ok: false,
            reason: `${label} could use ${info.permission}${where}, which the holder's grants do not allow`,
          };
        }
      }
    }
  }
  return { ok: true };
}

function exercisablePermissions(grant: Grant, allowRackJwt: boolean): readonly PermissionInfo[] | string {
  if (grant.apps !== undefined && !Array.isArray(grant.apps)) return "apps must be a list";
  if ("role" in grant) {
    if (!isRole(grant.role)) return `unknown role ${JSON.stringify(grant.role)}`;
    const role = grant.role;
    return everyPermission.filter((info) => roleHolds(role, info, { allowRackJwt, deployApproved: true }));
  }
  if (!Array.isArray(grant.permissions)) return "permissions must be a list";
  const infos: PermissionInfo[] = [];
  for (const permission of grant.permissions) {
    const info = getPermissionInfo(permission);
    if (info === null) return `unknown permission ${JSON.stringify(permission)}`;
    // authorize() never lets an explicit grant use convox:rack:jwt, so it cannot exceed anything.
    if (info.minRole !== null) infos.push(info);
  }
  return infos;
}

/**
 * Checks grants before they are stored for a user or a token; returns why they are invalid, or null.
 * Rejects: a grant that is not `{ role }` or `{ permissions }` (with optional `apps`), an unknown role or
 * permission, `cicd` for a user, an explicit `convox:rack:jwt`, an empty or duplicated permission or app list,
 * an app name that is not a Convox app name, and app lists on grants of rack- or gateway-wide permissions.
 */
export function validateGrants(grants: unknown, options: ValidateGrantsOptions): string | null {
  if (options?.kind !== "user" && options?.kind !== "token") {
    throw new TypeError("validateGrants: pass { kind: 'user' } or { kind: 'token' }");
  }
  if (!Array.isArray(grants)) return "grants must be a list";
  for (const [index, grant] of grants.entries()) {
    const problem = validateGrant(grant, options.kind);
    if (problem !== null) return `grant #${index + 1}: ${problem}`;
  }
  return null;
}

function validateGrant(grant: unknown, kind: "user" | "token"): string | null {
  if (typeof grant !== "object" || grant === null || Array.isArray(grant)) return "must be an object";
  const record = grant as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !GRANT_KEYS.has(key));
  if (unknownKey !== undefined)
    return `unknown field ${JSON.stringify(unknownKey)} (use role, permissions, apps)`;
  if ("role" in record === "permissions" in record) return "must have exactly one of role or permissions";
  const scopes = new Set<string>();
  if ("role" in record) {
    if (!isRole(record.role)) return `unknown role ${JSON.stringify(record.role)}`;
    if (record.role === "cicd" && kind === "user")
      return "the cicd role is for API tokens only, never a person";
    scopes.add("app");
  } else {
    const permissions = record.permissions;
    if (!Array.isArray(permissions) || permissions.length === 0)
      return "permissions must be a non-empty list";
    if (new Set(permissions).size !== permissions.length) return "permissions lists a permission twice";
    for (const permission of permissions) {
      const info = typeof permission === "string" ? getPermissionInfo(permission) : null;
      if (info === null) return `unknown permission ${JSON.stringify(permission)}`;
      if (info.minRole === null) return `${info.permission} cannot be granted explicitly`;
      scopes.add(info.scope);
    }
  }
  if (!("apps" in record)) return null;
  const apps = record.apps;
  if (!Array.isArray(apps) || apps.length === 0)
    return "apps must be a non-empty list (omit it for every app)";
  if (new Set(apps).size !== apps.length) return "apps lists an app twice";
  const badApp = apps.find((app) => typeof app !== "string" || !APP_NAME.test(app));
  if (badApp !== undefined) {
    return `${JSON.stringify(badApp)} is not an app name (lower-case letters, digits and dashes, starting with a letter)`;
  }
  const wide = [...scopes].find((scope) => scope !== "app");
  if (wide !== undefined)
    return `an app list cannot scope ${wide}-wide permissions; drop apps or those permissions`;
  return null;
}
