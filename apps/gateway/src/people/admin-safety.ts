/**
 * Lock-out protection for people administration: nobody locks, deletes or demotes themselves out, and no change
 * may leave the gateway without an unlocked admin (a user holding the unscoped admin role).
 */
import { authorize } from "@rack-gateway/rbac";
import { userPrincipal } from "../auth/sessions.js";
import type { UserRecord } from "../stores/types.js";

/** True when `user` is unlocked and may manage users (what "an admin" means for lock-out purposes). */
export function canManagePeople(user: UserRecord): boolean {
  return user.lockedAt === null && authorize(userPrincipal(user), "gateway:user:manage").allowed;
}

/**
 * True when `user` is unlocked and holds the admin role on no particular apps. Only such a user can give every
 * grant back (grants are never given beyond the giver's own), so user management alone does not count.
 */
export function isGatewayAdmin(user: UserRecord): boolean {
  return (
    user.lockedAt === null &&
    Array.isArray(user.grants) &&
    user.grants.some((grant) => "role" in grant && grant.role === "admin" && grant.apps === undefined)
  );
}

/**
 * Why changing `before` into `after` (null: deleting it) must be refused because it would leave no unlocked
 * admin; null when the change is safe. A gateway that already had none is not made worse.
 */
export function lastAdminProblem(
  users: readonly UserRecord[],
  before: UserRecord,
  after: UserRecord | null,
): string | null {
  const adminsBefore = users.filter(isGatewayAdmin);
  if (adminsBefore.length === 0 || !adminsBefore.some((user) => user.id === before.id)) return null;
  if (after !== null && isGatewayAdmin(after)) return null;
  if (adminsBefore.length > 1) return null;
  return (
    `${before.email} is the last unlocked user who holds the admin role: ` +
    "give another user the admin role first, or nobody could administer the gateway"
  );
}
