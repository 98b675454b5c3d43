/**
 * Incident switches from the hardening guide: revoke every session at once, and lock every non-admin account
 * (revoking their sessions too). API tokens are revoked one by one (`DELETE /api/v1/tokens/{token}`).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv } from "../http/identity.js";
import { isGatewayAdmin } from "../people/admin-safety.js";
import { durableAudit } from "./durable-audit.js";
import { requireIdentity } from "./me-routes.js";
import { readJsonBody } from "./request-body.js";
import { authorOf } from "./users-routes.js";

/** At most this many locked accounts are named in the audit event (the count is always exact). */
const MAX_NAMED_USERS = 500;

const revokeAllBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });
const lockBody = z.strictObject({ reason: z.string().trim().min(1, "say why").max(500) });

export function incidentRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const audit = durableAudit(deps.audit);

  app.post("/api/v1/incident/revoke-all-sessions", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const body = await readJsonBody(c, revokeAllBody, "send JSON { reason? }");
    const now = deps.now();
    const why = body.reason ?? "incident: every session revoked";
    // The caller's own session goes too: everyone, the admin included, signs in again.
    const sessionsRevoked = await deps.stores.sessions.revokeAll(why, now);
    const ip = c.get("clientIp");
    await audit.recordDurably({
      time: now.toISOString(),
      requestId: c.get("requestId"),
      actor: identity.actor,
      action: "incident.revoke-all-sessions",
      method: c.req.method,
      path: c.get("route").path,
      decision: "allow",
      reason: `${authorOf(identity)} revoked every session: ${why}`,
      ...(ip ? { clientIp: ip } : {}),
      detail: { sessionsRevoked, incidentReason: why },
    });
    return c.json({ sessionsRevoked });
  });

  app.post("/api/v1/incident/lock-non-admins", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const body = await readJsonBody(c, lockBody, "send JSON { reason }");
    // Only admins are spared: a caller who is none (or whose token is tied to none) would lock themselves out.
    const callerId = identity.kind === "session" ? identity.user.id : identity.token.createdByUserId;
    const caller = callerId === null ? null : await deps.stores.users.findById(callerId);
    if (callerId !== null && !(caller && isGatewayAdmin(caller))) {
      throw new GatewayError(
        409,
        "CONFLICT",
        "you hold no unscoped admin role, so this would lock you out too: ask an admin to run it",
      );
    }
    const now = deps.now();
    const lockedIds = await deps.stores.users.lockAllNonAdmins(body.reason, authorOf(identity), now);
    let sessionsRevoked = 0;
    const locked: { id: string; email: string }[] = [];
    for (const id of lockedIds) {
      sessionsRevoked += await deps.stores.sessions.revokeAllForUser(
        id,
        `account locked: ${body.reason}`,
        now,
      );
      const user = await deps.stores.users.findById(id);
      if (user) locked.push({ id, email: user.email });
    }
    const ip = c.get("clientIp");
    await audit.recordDurably({
      time: now.toISOString(),
      requestId: c.get("requestId"),
      actor: identity.actor,
      action: "incident.lock-non-admins",
      method: c.req.method,
      path: c.get("route").path,
      decision: "allow",
      reason: `${authorOf(identity)} locked every non-admin account: ${body.reason}`,
      ...(ip ? { clientIp: ip } : {}),
      detail: {
        usersLocked: lockedIds.length,
        sessionsRevoked,
        users: locked.slice(0, MAX_NAMED_USERS),
        lockReason: body.reason,
      },
    });
    return c.json({ usersLocked: lockedIds.length, sessionsRevoked, users: locked });
  });

  return app;
}
