/** Oneself: who am I, my sessions, and "why may I (not) do this?" (`rack-gateway rbac explain`). */
import { authorize, explain, matchConvoxRoute, type Principal } from "@rack-gateway/rbac";
import { Hono } from "hono";
import { z } from "zod";
import { userPrincipal } from "../auth/sessions.js";
import type { GatewayDeps } from "../deps.js";
import { csrfTokenFor } from "../http/csrf.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv, Identity } from "../http/identity.js";
import type { SessionRecord } from "../stores/types.js";

/** A session as shown to people: never its token or hash. */
export function describeSession(session: SessionRecord, currentId: string | null) {
  return {
    id: session.id,
    channel: session.channel,
    deviceName: session.deviceName,
    ip: session.ip,
    userAgent: session.userAgent,
    createdAt: session.createdAt.toISOString(),
    lastSeenAt: session.lastSeenAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    revokedAt: session.revokedAt?.toISOString() ?? null,
    current: session.id === currentId,
  };
}

export function requireIdentity(identity: Identity | null): Identity {
  if (!identity) throw new GatewayError(401, "INVALID_AUTHENTICATION", "sign in first");
  return identity;
}

const explainBody = z.strictObject({
  method: z.string().min(1).max(16),
  path: z.string().min(1).max(4096),
  /** Explain for another user (needs gateway:user:read). */
  as: z.email().optional(),
});

export function meRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();

  app.get("/api/v1/me", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const rack = { alias: deps.rack.alias, displayName: deps.rack.displayName };
    if (identity.kind === "api-token") {
      const { token } = identity;
      return c.json({
        kind: "api-token",
        token: {
          id: token.id,
          name: token.name,
          displayPrefix: token.displayPrefix,
          expiresAt: token.expiresAt?.toISOString() ?? null,
        },
        grants: token.grants,
        rack,
      });
    }
    const { user, session } = identity;
    const lifetimes = await deps.sessions.lifetimes(session.channel);
    return c.json({
      kind: "user",
      user: { id: user.id, email: user.email, name: user.name },
      grants: user.grants,
      session: { ...describeSession(session, session.id), idleTimeoutMinutes: lifetimes.idleMinutes },
      // The SPA sends this back in X-CSRF-Token on every mutation (cookie sessions only).
      ...(identity.via === "cookie" ? { csrfToken: csrfTokenFor(deps.appSecretKey, session.id) } : {}),
      rack,
    });
  });

  app.get("/api/v1/me/sessions", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    if (identity.kind !== "session") return c.json({ sessions: [] });
    const sessions = await deps.stores.sessions.listForUser(identity.user.id, {
      activeOnly: true,
      now: deps.now(),
    });
    return c.json({ sessions: sessions.map((session) => describeSession(session, identity.session.id)) });
  });

  app.delete("/api/v1/me/sessions/:session", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    if (identity.kind !== "session")
      throw new GatewayError(400, "BAD_REQUEST", "API tokens have no sessions");
    const session = await deps.stores.sessions.findById(c.req.param("session"));
    // Someone else's session looks exactly like a missing one.
    if (!session || session.userId !== identity.user.id)
      throw new GatewayError(404, "NOT_FOUND", "no such session");
    const now = deps.now();
    const revoked = await deps.stores.sessions.revoke(session.id, "revoked by its owner", now);
    if (revoked) {
      await deps.audit.recordDurably({
        time: now.toISOString(),
        requestId: c.get("requestId"),
        actor: identity.actor,
        action: "session.revoke",
        decision: "allow",
        reason: "a user revoked one of their own sessions",
        detail: {
          sessionId: session.id,
          userId: identity.user.id,
          channel: session.channel,
          deviceName: session.deviceName,
        },
      });
    }
    return c.json({ revoked });
  });

  app.post("/api/v1/rbac/explain", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const parsed = explainBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw new GatewayError(400, "BAD_REQUEST", "send JSON { method, path, as? }");
    let principal: Principal = identity.principal;
    if (
      parsed.data.as !== undefined &&
      parsed.data.as.toLowerCase() !== identity.principal.name.toLowerCase()
    ) {
      const mayRead = authorize(identity.principal, "gateway:user:read");
      if (!mayRead.allowed) throw new GatewayError(403, "FORBIDDEN", `forbidden: ${mayRead.reason}`);
      const user = await deps.stores.users.findByEmail(parsed.data.as);
      if (!user) throw new GatewayError(404, "NOT_FOUND", `no user ${parsed.data.as}`);
      principal = userPrincipal(user);
    }
    const allowRackJwt = (await deps.settings.get("allow_rack_jwt")).value;
    const match = matchConvoxRoute(parsed.data.method, parsed.data.path);
    return c.json({
      explanation: explain(principal, parsed.data.method, parsed.data.path, { allowRackJwt }),
      permission: match?.permission ?? null,
      mfa: match?.mfa ?? null,
    });
  });

  return app;
}
