import { CONVOX_PERMISSIONS, GATEWAY_PERMISSIONS, type PermissionInfo } from "./permissions.js";
import { isRole, roleRank } from "./roles.js";
import type { AuthorizeOptions, Permission, Role } from "./types.js";

/** The settings that change what a role holds. */
export type RoleOptions = Pick<AuthorizeOptions, "allowRackJwt" | "deployApproved">;

const everyPermission: readonly PermissionInfo[] = [...CONVOX_PERMISSIONS, ...GATEWAY_PERMISSIONS];

/** Whether `role` holds the catalog entry `info` under `options`; the one place the role policy lives. */
export function roleHolds(role: Role, info: PermissionInfo, options: RoleOptions = {}): boolean {
  if (role === "cicd") {
    return info.cicd === "always" || (info.cicd === "deploy-approved" && options.deployApproved === true);
  }
  if (info.minRole === null) {
    // Only convox:rack:jwt: it mints credentials that bypass the gateway, so it needs the admin setting.
    return info.permission === "convox:rack:jwt" && role === "admin" && options.allowRackJwt === true;
  }
  return roleRank(role) >= roleRank(info.minRole);
}

/**
 * Every permission `role` holds, in catalog order. `cicd` gets its deploy permissions only with
 * `deployApproved: true`; `admin` gets `convox:rack:jwt` only with `allowRackJwt: true`.
 * Throws a TypeError for an unknown role.
 */
export function permissionsOfRole(role: Role, options: RoleOptions = {}): readonly Permission[] {
  if (!isRole(role)) {
    throw new TypeError(`permissionsOfRole: unknown role ${JSON.stringify(role)}`);
  }
  return Object.freeze(
    everyPermission.filter((info) => roleHolds(role, info, options)).map((info) => info.permission),
  );
}

/**
 * True when role `a` holds every permission role `b` can ever hold (cicd with an approved deploy, admin with
 * `allowRackJwt` on both sides). `admin` includes every role; `deployer` includes `cicd`; `cicd` includes no
 * person role (it lacks `gateway:self:manage`).
 */
export function roleIncludes(a: Role, b: Role): boolean {
  const widest: RoleOptions = { allowRackJwt: true, deployApproved: true };
  const held = new Set(permissionsOfRole(a, widest));
  return permissionsOfRole(b, widest).every((permission) => held.has(permission));
}
