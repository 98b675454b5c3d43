/**
 * People administration: add, list, change roles, lock, unlock and delete users, and see or revoke their
 * sessions. Every change is audited durably before the answer.
 *
 * A role change takes effect on the user's very next request without revoking their sessions: a session stores
 * no grants, and `sessions.authenticate` reads the user's grants from the database on every request.
 */
import type { AuditEvent } from "@rack-gateway/audit-chain";
import { type Grant, grantsWithin, validateGrants } from "@rack-gateway/rbac";
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv, Identity } from "../http/identity.js";
import { canManagePeople, lastAdminProblem } from "../people/admin-safety.js";
import { DuplicateUserError } from "../stores/errors.js";
import type { UserRecord } from "../stores/types.js";
import { durableAudit } from "./durable-audit.js";
import { describeSession, requireIdentity } from "./me-routes.js";
import { readJsonBody } from "./request-body.js";

/** A user as shown to admins. */
export function describeUser(user: UserRecord) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    grants: user.grants,
    grantsSource: user.grantsSource,
    locked: user.lockedAt !== null,
    lockedAt: user.lockedAt?.toISOString() ?? null,
    lockedReason: user.lockedReason,
    lockedBy: user.lockedBy,
    createdAt: user.createdAt.toISOString(),
    createdBy: user.createdBy,
    updatedAt: user.updatedAt.toISOString(),
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
  };
}

const grantList = z.array(z.unknown()).max(50, "at most 50 grants");
const reason = z.string().trim().min(1, "say why").max(500);

const newUserBody = z.strictObject({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200).optional(),
  grants: grantList,
});
const rolesBody = z.strictObject({ grants: grantList });
const lockBody = z.strictObject({ reason });

/** Who made a change, as stored in `createdBy` / `lockedBy`: an email, or the API token's name. */
export function authorOf(identity: Identity): string {
  return identity.kind === "session" ? identity.user.email : `token:${identity.token.name}`;
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

/**
 * Checks grants a caller wants to give a person: valid for a user (never cicd) and within what the caller holds,
 * so someone who may manage users still cannot hand out more than their own access.
 */
function checkGrantsToGive(grants: unknown[], identity: Identity): Grant[] {
  const problem = validateGrants(grants, { kind: "user" });
  if (problem) throw new GatewayError(400, "BAD_REQUEST", problem);
  const within = grantsWithin(grants as Grant[], identity.principal.grants);
  if (!within.ok) throw new GatewayError(403, "FORBIDDEN", `forbidden: ${within.reason}`);
  return grants as Grant[];
}

/**
 * Acting on a person (roles, lock, unlock, delete, their sessions) needs everything they hold now to be within
 * the caller's grants: otherwise a user manager who is no admin could lock, demote or delete every admin, and
 * nobody could give admin back.
 */
function checkMayActOn(identity: Identity, target: UserRecord): void {
  // A stored grants value that is not a list holds nothing.
  const held = Array.isArray(target.grants) ? target.grants : [];
  const within = grantsWithin(held, identity.principal.grants);
  if (!within.ok) {
    throw new GatewayError(
      403,
      "FORBIDDEN",
      `forbidden: ${target.email} holds access you do not: ${within.reason}`,
    );
  }
}

export function usersRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const audit = durableAudit(deps.audit);

  // Changes that count admins run one at a time, so two admins demoting each other cannot both pass the check.
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const findUser = async (reference: string): Promise<UserRecord> => {
    const user = reference.includes("@")
      ? await deps.stores.users.findByEmail(reference.toLowerCase())
      : await deps.stores.users.findById(reference);
    if (!user) throw new GatewayError(404, "NOT_FOUND", `no user ${reference}`);
    return user;
  };

  const record = async (
    c: Context<AppEnv>,
    identity: Identity,
    event: Pick<AuditEvent, "action" | "reason" | "detail">,
  ) => {
    const ip = c.get("clientIp");
    await audit.recordDurably({
      time: deps.now().toISOString(),
      requestId: c.get("requestId"),
      actor: identity.actor,
      method: c.req.method,
      path: c.get("route").path,
      decision: "allow",
      ...(ip ? { clientIp: ip } : {}),
      ...event,
    });
  };

  const refuse = (message: string) => new GatewayError(409, "CONFLICT", message);
  // A person's own API token counts as them: locking or deleting its maker suspends the token too.
  const isSelf = (identity: Identity, user: UserRecord) =>
    identity.kind === "session" ? identity.user.id === user.id : identity.token.createdByUserId === user.id;

  app.get("/api/v1/users", async (c) => {
    const users = await deps.stores.users.list();
    return c.json({ users: users.map(describeUser) });
  });

  app.post("/api/v1/users", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const body = await readJsonBody(c, newUserBody, "send JSON { email, name?, grants: [{ role }] }");
    const grants = checkGrantsToGive(body.grants, identity);
    const email = body.email.toLowerCase();
    let user: UserRecord;
    try {
      user = await deps.stores.users.create({
        email,
        name: body.name ?? email.split("@")[0] ?? email,
        grants,
        grantsSource: "admin",
        createdBy: authorOf(identity),
        createdAt: deps.now(),
      });
    } catch (error) {
      if (error instanceof DuplicateUserError) throw refuse(`a user with the email ${email} already exists`);
      throw error;
    }
    await record(c, identity, {
      action: "user.create",
      reason: `${authorOf(identity)} added ${email}`,
      detail: { userId: user.id, email, grants: json(grants) },
    });
    return c.json({ user: describeUser(user) }, 201);
  });

  app.get("/api/v1/users/:user", async (c) => {
    const user = await findUser(c.req.param("user"));
    return c.json({ user: describeUser(user) });
  });

  app.put("/api/v1/users/:user/roles", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const body = await readJsonBody(c, rolesBody, "send JSON { grants: [{ role }, …] }");
    const grants = checkGrantsToGive(body.grants, identity);
    return oneAtATime(async () => {
      const before = await findUser(c.req.param("user"));
      checkMayActOn(identity, before);
      const after: UserRecord = { ...before, grants };
      if (isSelf(identity, before) && canManagePeople(before) && !canManagePeople(after)) {
        throw refuse("you cannot remove your own ability to manage users: ask another admin to do it");
      }
      const problem = lastAdminProblem(await deps.stores.users.list(), before, after);
      if (problem) throw refuse(problem);
      const updated = await deps.stores.users.setGrants(before.id, grants, "admin", deps.now());
      if (!updated) throw new GatewayError(404, "NOT_FOUND", `no user ${c.req.param("user")}`);
      await record(c, identity, {
        action: "user.roles.change",
        reason: `${authorOf(identity)} changed the roles of ${before.email} (effective on their next request)`,
        detail: { userId: before.id, email: before.email, before: json(before.grants), after: json(grants) },
      });
      return c.json({ user: describeUser(updated) });
    });
  });

  app.post("/api/v1/users/:user/lock", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const body = await readJsonBody(c, lockBody, "send JSON { reason }");
    return oneAtATime(async () => {
      const before = await findUser(c.req.param("user"));
      checkMayActOn(identity, before);
      if (isSelf(identity, before)) throw refuse("you cannot lock yourself out: ask another admin");
      const now = deps.now();
      const problem = lastAdminProblem(await deps.stores.users.list(), before, {
        ...before,
        lockedAt: now,
      });
      if (problem) throw refuse(problem);
      const locked = await deps.stores.users.lock(before.id, body.reason, authorOf(identity), now);
      if (!locked) throw new GatewayError(404, "NOT_FOUND", `no user ${c.req.param("user")}`);
      // Locked first, so no session of theirs can authenticate between the two steps.
      const sessionsRevoked = await deps.stores.sessions.revokeAllForUser(
        before.id,
        `account locked: ${body.reason}`,
        now,
      );
      await record(c, identity, {
        action: "user.lock",
        reason: `${authorOf(identity)} locked ${before.email}: ${body.reason}`,
        detail: {
          userId: before.id,
          email: before.email,
          lockReason: body.reason,
          sessionsRevoked,
          alreadyLocked: before.lockedAt !== null,
        },
      });
      return c.json({ user: describeUser(locked), sessionsRevoked });
    });
  });

  app.post("/api/v1/users/:user/unlock", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const before = await findUser(c.req.param("user"));
    checkMayActOn(identity, before);
    const unlocked = await deps.stores.users.unlock(before.id, deps.now());
    if (!unlocked) throw new GatewayError(404, "NOT_FOUND", `no user ${c.req.param("user")}`);
    const changed = before.lockedAt !== null;
    if (changed) {
      await record(c, identity, {
        action: "user.unlock",
        reason: `${authorOf(identity)} unlocked ${before.email}`,
        detail: { userId: before.id, email: before.email, wasLockedFor: before.lockedReason ?? "" },
      });
    }
    return c.json({ user: describeUser(unlocked), changed });
  });

  app.delete("/api/v1/users/:user", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    return oneAtATime(async () => {
      const before = await findUser(c.req.param("user"));
      checkMayActOn(identity, before);
      if (isSelf(identity, before)) throw refuse("you cannot delete yourself: ask another admin");
      const problem = lastAdminProblem(await deps.stores.users.list(), before, null);
      if (problem) throw refuse(problem);
      const active = await deps.stores.sessions.listForUser(before.id, { activeOnly: true, now: deps.now() });
      // Their sessions go with them (the store cascades), so every one of their credentials stops at once.
      if (!(await deps.stores.users.delete(before.id))) {
        throw new GatewayError(404, "NOT_FOUND", `no user ${c.req.param("user")}`);
      }
      await record(c, identity, {
        action: "user.delete",
        reason: `${authorOf(identity)} deleted ${before.email}`,
        detail: {
          userId: before.id,
          email: before.email,
          grants: json(before.grants),
          sessionsEnded: active.length,
        },
      });
      return c.json({ deleted: true, sessionsEnded: active.length });
    });
  });

  app.get("/api/v1/users/:user/sessions", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const user = await findUser(c.req.param("user"));
    const all = c.req.query("all") === "true";
    const sessions = await deps.stores.sessions.listForUser(
      user.id,
      all ? {} : { activeOnly: true, now: deps.now() },
    );
    const currentId = identity.kind === "session" ? identity.session.id : null;
    return c.json({ sessions: sessions.map((session) => describeSession(session, currentId)) });
  });

  app.delete("/api/v1/users/:user/sessions/:session", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const user = await findUser(c.req.param("user"));
    checkMayActOn(identity, user);
    const session = await deps.stores.sessions.findById(c.req.param("session"));
    if (!session || session.userId !== user.id) {
      throw new GatewayError(404, "NOT_FOUND", `${user.email} has no session ${c.req.param("session")}`);
    }
    const revoked = await deps.stores.sessions.revoke(
      session.id,
      `revoked by ${authorOf(identity)}`,
      deps.now(),
    );
    if (revoked) {
      await record(c, identity, {
        action: "session.revoke",
        reason: `${authorOf(identity)} revoked a session of ${user.email}`,
        detail: {
          sessionId: session.id,
          userId: user.id,
          email: user.email,
          channel: session.channel,
          deviceName: session.deviceName,
        },
      });
    }
    return c.json({ revoked });
  });

  app.delete("/api/v1/users/:user/sessions", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const user = await findUser(c.req.param("user"));
    checkMayActOn(identity, user);
    const sessionsRevoked = await deps.stores.sessions.revokeAllForUser(
      user.id,
      `all sessions revoked by ${authorOf(identity)}`,
      deps.now(),
    );
    await record(c, identity, {
      action: "session.revoke-all",
      reason: `${authorOf(identity)} revoked every session of ${user.email}`,
      detail: { userId: user.id, email: user.email, sessionsRevoked },
    });
    return c.json({ sessionsRevoked });
  });

  return app;
}
