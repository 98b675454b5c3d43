/**
 * The gateway's own HTTP API (`/api/v1/…` except the rack proxy, which streams below Hono — see server.ts).
 */
import { Hono } from "hono";
import type { GatewayDeps } from "./deps.js";
import { GatewayError, toGatewayError } from "./http/errors.js";
import { securityHeaders } from "./http/security-headers.js";

export type AppEnv = { Variables: { requestId: string } };

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

export function createApp(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const headers = securityHeaders({ hsts: deps.hsts });

  app.use(async (c, next) => {
    const requestId = deps.randomId();
    c.set("requestId", requestId);
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    c.header("X-Request-Id", requestId);
  });

  app.onError((caught, c) => {
    const error = toGatewayError(caught);
    if (error.code === "INTERNAL") deps.logError("request failed", caught);
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return c.json({ error: error.message, code: error.code }, error.status as 500);
  });
  app.notFound(() => {
    throw new GatewayError(404, "NOT_FOUND", "not found");
  });

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

  return app;
}
