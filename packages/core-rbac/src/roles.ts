import type { Role } from "./types.js";

/** A role a person (user) may hold: every role but `cicd`. */
export type PersonRole = Exclude<Role, "cicd">;

/** Every built-in role. */
export const ROLES: readonly Role[] = Object.freeze(["viewer", "ops", "deployer", "admin", "cicd"]);

/** The person roles, lowest first: each holds everything the ones before it hold. */
export const PERSON_ROLES: readonly PersonRole[] = Object.freeze(["viewer", "ops", "deployer", "admin"]);

/** True when `value` is a built-in role name. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when `value` is a role a person may hold (not `cicd`). */
export function isPersonRole(value: unknown): value is PersonRole {
  return typeof value === "string" && (PERSON_ROLES as readonly string[]).includes(value);
}

/**
 * The rank of a person role in the hierarchy: `viewer` 0, `ops` 1, `deployer` 2, `admin` 3.
 * Throws a TypeError for `cicd` (it sits outside the hierarchy; use `roleIncludes`) or an unknown name.
 */
export function roleRank(role: PersonRole): number {
  const rank = (PERSON_ROLES as readonly string[]).indexOf(role);
  if (rank < 0) {
    throw new TypeError(
      `roleRank: ${JSON.stringify(role)} is not a person role; expected one of ${PERSON_ROLES.join(", ")} ` +
        "(cicd has no rank: compare it with roleIncludes)",
    );
  }
  return rank;
}
