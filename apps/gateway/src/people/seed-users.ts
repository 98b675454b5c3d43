/**
 * ADMIN_USERS / DEPLOYER_USERS / OPS_USERS / VIEWER_USERS: people who may sign in, created at start if missing.
 * Roles an admin changed later are never overwritten (grantsSource "admin"); roles still as the env set them
 * follow the env when it changes.
 */
import { randomUUID } from "node:crypto";
import type { Grant } from "@rack-gateway/rbac";
import type { AuditLog } from "../audit/audit-log.js";
import type { PeopleConfig } from "../config/config.js";
import type { UserStore } from "../stores/types.js";

const SEED_ACTOR = {
  type: "system",
  id: "env",
  name: "environment (ADMIN_USERS, DEPLOYER_USERS, OPS_USERS, VIEWER_USERS)",
} as const;

const sameGrants = (a: readonly Grant[], b: readonly Grant[]) => JSON.stringify(a) === JSON.stringify(b);

/** Returns what it did, for the start-up log. */
export async function seedUsers(
  deps: { users: UserStore; audit: AuditLog; now: () => Date },
  seed: PeopleConfig["seedUsers"],
): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  const requestId = randomUUID();
  for (const role of ["admin", "deployer", "ops", "viewer"] as const) {
    for (const email of seed[role]) {
      const grants: Grant[] = [{ role }];
      const now = deps.now();
      const existing = await deps.users.findByEmail(email);
      if (!existing) {
        const user = await deps.users.create({
          email,
          name: email.split("@")[0] ?? email,
          grants,
          grantsSource: "env",
          createdBy: "env",
          createdAt: now,
        });
        await deps.audit.recordDurably({
          time: now.toISOString(),
          requestId,
          actor: SEED_ACTOR,
          action: "user.create",
          decision: "allow",
          reason: `provisioned from ${role.toUpperCase()}_USERS`,
          detail: { userId: user.id, email, grants: [{ role }] },
        });
        created.push(email);
      } else if (existing.grantsSource === "env" && !sameGrants(existing.grants, grants)) {
        await deps.users.setGrants(existing.id, grants, "env", now);
        await deps.audit.recordDurably({
          time: now.toISOString(),
          requestId,
          actor: SEED_ACTOR,
          action: "user.roles.change",
          decision: "allow",
          reason: `roles follow ${role.toUpperCase()}_USERS (never changed by an admin)`,
          detail: {
            userId: existing.id,
            email,
            before: JSON.parse(JSON.stringify(existing.grants)),
            after: [{ role }],
          },
        });
        updated.push(email);
      }
    }
  }
  return { created, updated };
}
