/**
 * The one middleware in front of every gateway endpoint: match the route table, identify the caller (web session
 * cookie, or an `Authorization` header carrying a CLI session or an API token), check CSRF and Origin on
 * cookie-authenticated mutations, and authorize the route's permission. Denials are audited.
 */
import type { AuditEvent } from "@rack-gateway/audit-chain";
import { authorize } from "@rack-gateway/rbac";
import { type RedactionRules, redactString } from "@rack-gateway/redaction";
import type { Context, MiddlewareHandler } from "hono";
import { matchGatewayRoute } from "../api/gateway-routes.js";
import type { AuditLog } from "../audit/audit-log.js";
import { clipAuditText } from "../audit/audit-text.js";
import type { Authenticator } from "../auth/authenticate.js";
import { readCredential } from "../auth/credentials.js";
import type { SessionService } from "../auth/sessions.js";
import { type CookiePolicy, clearSessionCookie, readSessionCookie } from "./cookies.js";
import { isSameOrigin, isValidCsrfToken } from "./csrf.js";
import { GatewayError } from "./errors.js";
import { anotherSiteReason, isFromAnotherSite } from "./fetch-metadata.js";
import type { AppEnv, Identity } from "./identity.js";

export interface RouteGuardDeps {
  readonly authenticator: Authenticator;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
  /** The gateway's redaction rules: a denied path or reason is the client's text and may carry a secret. */
  readonly redaction: RedactionRules;
  readonly cookies: CookiePolicy;
  readonly appSecretKey: Uint8Array;
  /** The gateway's public origin (from GATEWAY_URL); null to take it from the request (local development). */
  readonly publicOrigin: string | null;
  readonly now: () => Date;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function identify(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  deps: RouteGuardDeps,
): Promise<Identity | { failure: string } | null> {
  const authorization = c.req.header("authorization");
  if (authorization !== undefined) {
    // A header wins over any cookie: header-authenticated calls carry no ambient authority, so no CSRF either.
    const credential = readCredential(authorization);
    if (!credential) return { failure: "malformed Authorization header" };
    const result = await deps.authenticator.authenticate(credential.secret, c.get("clientIp"));
    if (!result.ok) return { failure: result.reason };
    const { principal, actor, credential: proof } = result.identity;
    return proof.kind === "session"
      ? { via: "header", kind: "session", principal, actor, session: proof.session, user: proof.user }
      : { via: "header", kind: "api-token", principal, actor, token: proof.token };
  }
  const cookie = readSessionCookie(c, deps.cookies);
  if (cookie === undefined) return null;
  const result = await deps.sessions.authenticate(cookie, "web");
  if (!result.ok) {
    clearSessionCookie(c, deps.cookies);
    return { failure: result.reason };
  }
  const { principal, actor, session, user } = result.identity;
  return { via: "cookie", kind: "session", principal, actor, session, user };
}

/**
 * The audit event of a refused call to the gateway's own API (by the guard, or by a handler past it). The path
 * and reason are the client's text and may carry a secret, so both are redacted.
 */
export function gatewayDenyEvent(
  c: Context<AppEnv>,
  deps: Pick<RouteGuardDeps, "redaction" | "now">,
  denial: { readonly status: number; readonly reason: string; readonly actor: AuditEvent["actor"] },
): AuditEvent {
  const route = c.get("route");
  const event: AuditEvent = {
    time: deps.now().toISOString(),
    requestId: c.get("requestId"),
    actor: denial.actor,
    action: "gateway.request",
    method: c.req.method,
    // e.g. DELETE /api/v1/tokens/<a token pasted by mistake>: denied, but never written down in full.
    path: redactString(route.path, deps.redaction),
    decision: "deny",
    reason: clipAuditText(redactString(denial.reason, deps.redaction), 2000),
    status: denial.status,
  };
  if (route.permission) event.permission = route.permission;
  const ip = c.get("clientIp");
  if (ip) event.clientIp = ip;
  return event;
}

export function createRouteGuard(deps: RouteGuardDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const route = matchGatewayRoute(c.req.method, `${url.pathname}${url.search}`);
    if (!route) throw new GatewayError(404, "NOT_FOUND", "not found");
    c.set("route", route);
    const expectedOrigin = deps.publicOrigin ?? url.origin;

    if (route.route.answer === "public") {
      const identity = await identify(c, deps);
      c.set("identity", identity && !("failure" in identity) ? identity : null);
      return next();
    }

    const deny = (error: GatewayError, reason: string, actor: AuditEvent["actor"]) => {
      deps.audit.record(gatewayDenyEvent(c, deps, { status: error.status, reason, actor }));
      return error;
    };

    // Fetch Metadata: a browser that cached Basic credentials for the gateway (it challenges with Basic) would
    // attach them to another site's requests, which no cookie CSRF check sees. Our CLI never sends this header.
    // A top-level GET navigation (a link to a page) only reads, and the other site never sees the answer.
    const fetchSite = c.req.header("sec-fetch-site");
    const isNavigation = SAFE_METHODS.has(c.req.method) && c.req.header("sec-fetch-mode") === "navigate";
    if (isFromAnotherSite(fetchSite) && !isNavigation) {
      throw deny(
        new GatewayError(403, "FORBIDDEN", "cross-site browser requests cannot use the gateway's API"),
        anotherSiteReason(fetchSite),
        { type: "anonymous" },
      );
    }

    const identity = await identify(c, deps);
    if (identity === null || "failure" in identity) {
      const reason = identity === null ? "not signed in" : identity.failure;
      const wantsPage = c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html");
      if (wantsPage) {
        deny(new GatewayError(401, "INVALID_AUTHENTICATION", "sign in first"), reason, { type: "anonymous" });
        return c.redirect(`/auth/login?return_to=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 303);
      }
      throw deny(
        new GatewayError(401, "INVALID_AUTHENTICATION", "sign in first (your session may have expired)"),
        reason,
        { type: "anonymous" },
      );
    }

    if (identity.via === "cookie" && !SAFE_METHODS.has(c.req.method)) {
      if (!isSameOrigin(expectedOrigin, c.req.header("origin"), c.req.header("referer"))) {
        throw deny(
          new GatewayError(403, "CSRF_REJECTED", "cross-origin request refused"),
          "Origin is not the gateway's own",
          identity.actor,
        );
      }
      let presented = c.req.header("x-csrf-token");
      if (
        presented === undefined &&
        (c.req.header("content-type") ?? "").includes("application/x-www-form-urlencoded")
      ) {
        const form = await c.req.parseBody();
        presented = typeof form._csrf === "string" ? form._csrf : undefined;
      }
      if (!isValidCsrfToken(deps.appSecretKey, identity.session.id, presented)) {
        throw deny(
          new GatewayError(403, "CSRF_REJECTED", "missing or invalid CSRF token"),
          "CSRF token missing or invalid",
          identity.actor,
        );
      }
    }

    const decision = route.permission ? authorize(identity.principal, route.permission) : null;
    if (!decision?.allowed) {
      const reason = decision?.reason ?? "route has no permission";
      throw deny(new GatewayError(403, "FORBIDDEN", `forbidden: ${reason}`), reason, identity.actor);
    }
    c.set("identity", identity);
    return next();
  };
}
