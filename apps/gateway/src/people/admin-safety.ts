/**
 * Lock-out protection for people administration: nobody locks, deletes or demotes themselves out, and no change
 * may leave the gateway without an unlocked person able to manage users.
 */
import { authorize } from "@rack-gateway/rbac";
import { userPrincipal } from "../auth/sessions.js";
import type { UserRecord } from "../stores/types.js";

/** True when `user` is unlocked and may manage users (what "an admin" means for lock-out purposes). */
export function canManagePeople(user: UserRecord): boolean {
  return user.lockedAt === null && authorize(userPrincipal(user), "gateway:user:manage").allowed;
}

/**
 * Why changing `before` into `after` (null: deleting it) must be refused because it would leave no unlocked
 * user able to manage users; null when the change is safe. A gateway that already had none is not made worse.
 */
export function lastAdminProblem(
  users: readonly UserRecord[],
  before: UserRecord,
  after: UserRecord | null,
): string | null {
  const managersBefore = users.filter(canManagePeople);
  if (managersBefore.length === 0 || !managersBefore.some((user) => user.id === before.id)) return null;
  if (after !== null && canManagePeople(after)) return null;
  if (managersBefore.length > 1) return null;
  return (
    `${before.email} is the last unlocked user who can manage users: ` +
    "give another user the admin role first, or nobody could administer the gateway"
  );
}
