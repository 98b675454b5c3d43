/**
 * The gateway's own HTTP API (`/api/v1/…` except the rack proxy, which streams below Hono — see server.ts).
 */
import { Hono } from "hono";
import { auditRoutes } from "./api/audit-routes.js";
import { incidentRoutes } from "./api/incident-routes.js";
import { meRoutes } from "./api/me-routes.js";
import { settingsRoutes } from "./api/settings-routes.js";
import { tokensRoutes } from "./api/tokens-routes.js";
import { usersRoutes } from "./api/users-routes.js";
import type { GatewayDeps } from "./deps.js";
import { GatewayError, toGatewayError } from "./http/errors.js";
import type { AppEnv } from "./http/identity.js";
import { createRouteGuard, gatewayDenyEvent } from "./http/route-guard.js";
import { securityHeaders } from "./http/security-headers.js";
import { signInRoutes } from "./signin/signin-routes.js";

export type { AppEnv } from "./http/identity.js";

const READY_CHECK_TIMEOUT_MS = 3_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The client's address. Behind a trusted load balancer, the last X-Forwarded-For entry: the one the balancer
 * appended for the address it saw. Every entry before it is whatever the client sent, so trusting the first would
 * let a client choose its own address (and so dodge the per-address auth-failure limit and forge audited ones).
 */
export function clientIpOf(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  trustProxyHeaders: boolean,
): string | null {
  if (trustProxyHeaders) {
    const last = forwardedFor?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  return socketAddress ?? null;
}

export function createApp(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const headers = securityHeaders({ hsts: deps.hsts });

  app.use(async (c, next) => {
    const requestId = deps.randomId();
    c.set("requestId", requestId);
    c.set(
      "clientIp",
      clientIpOf(
        c.req.header("x-forwarded-for"),
        c.env?.incoming?.socket.remoteAddress,
        deps.trustProxyHeaders,
      ),
    );
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    c.header("X-Request-Id", requestId);
  });

  app.onError((caught, c) => {
    const error = toGatewayError(caught);
    if (error.code === "INTERNAL") deps.logError("request failed", caught);
    // A handler's refusal (403 beyond the caller's grants, 409, 400…) is as telling as the guard's. The guard sets
    // the identity only once it has let a call through, so its own denials, already audited, never come here.
    const identity = c.get("identity");
    if (error.status >= 400 && error.status < 500 && identity && c.get("route")?.permission) {
      deps.audit.record(
        gatewayDenyEvent(c, deps, { status: error.status, reason: error.message, actor: identity.actor }),
      );
    }
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json({ error: error.message, code: error.code }, error.status as 500);
  });
  app.notFound(() => {
    throw new GatewayError(404, "NOT_FOUND", "not found");
  });

  // Every route below is declared in api/gateway-routes.ts; the guard enforces that table for all of them.
  app.use(
    createRouteGuard({
      authenticator: deps.authenticator,
      sessions: deps.sessions,
      audit: deps.audit,
      redaction: deps.redaction,
      cookies: deps.cookies,
      appSecretKey: deps.appSecretKey,
      publicOrigin: deps.publicOrigin,
      now: deps.now,
    }),
  );

  // Liveness: no authentication and no internal detail (hardening guide, "Health checks").
  app.get("/api/v1/health", (c) => c.json({ status: "ok" }));

  // Readiness: the database answers and the rack is reachable.
  app.get("/api/v1/health/ready", async (c) => {
    const check = async (probe: () => Promise<unknown>) => {
      try {
        await withTimeout(probe(), READY_CHECK_TIMEOUT_MS);
        return "ok" as const;
      } catch {
        return "unavailable" as const;
      }
    };
    const [database, rack] = await Promise.all([
      check(() => deps.stores.ping()),
      check(async () => {
        const response = await deps.forwarder.send({
          method: "GET",
          path: "/check",
          headers: {},
          body: null,
        });
        response.resume();
        if ((response.statusCode ?? 500) >= 400) throw new Error(`rack answered ${response.statusCode}`);
      }),
    ]);
    const ready = database === "ok" && rack === "ok";
    return c.json({ status: ready ? "ready" : "unavailable", checks: { database, rack } }, ready ? 200 : 503);
  });

  app.route("/", meRoutes(deps));
  app.route("/", usersRoutes(deps));
  app.route("/", incidentRoutes(deps));
  app.route("/", tokensRoutes(deps));
  app.route("/", auditRoutes(deps));
  app.route("/", settingsRoutes(deps));
  app.route("/", signInRoutes(deps));
  return app;
}
