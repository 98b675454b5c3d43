/**
 * The decision half of a rack-proxy call, shared by plain HTTP and websocket upgrades so that both are
 * authenticated, matched and authorized by exactly the same code: rate limit → credential → token → route →
 * authorize → process policy. The forwarding half lives in http-proxy.ts and websocket-proxy.ts.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { AuditActor, AuditEvent, JsonValue } from "@rack-gateway/audit-chain";
import { type AuthorizeDecision, authorize, matchConvoxRoute, type RouteMatch } from "@rack-gateway/rbac";
import type { RedactionRules } from "@rack-gateway/redaction";
import { redact, redactString } from "@rack-gateway/redaction";
import { clipAuditText as clip } from "../audit/audit-text.js";
import type { Authenticated, Authenticator } from "../auth/authenticate.js";
import { readCredential } from "../auth/credentials.js";
import { GatewayError, invalidAuthentication } from "../http/errors.js";
import { anotherSiteReason, isFromAnotherSite } from "../http/fetch-metadata.js";
import type { RateLimitStore } from "../stores/types.js";
import { checkProcessPolicy } from "./process-policy.js";

export const RACK_PROXY_PREFIX = "/api/v1/rack-proxy";

/** What is known about a call before any decision. */
export interface RackCallContext {
  readonly requestId: string;
  readonly time: Date;
  /** From performance.now(), for latency. */
  readonly startedAt: number;
  /** HTTP method, or SOCKET for a websocket upgrade. */
  readonly method: string;
  /** The request target below the proxy prefix, as received (may hold `..`, escapes, a query). */
  readonly target: string;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
}

export type RackCallResolution =
  | { readonly kind: "check" }
  | { readonly kind: "denied"; readonly error: GatewayError; readonly event: AuditEvent }
  | {
      readonly kind: "answer";
      readonly answer: "auth" | "probe";
      readonly identity: Authenticated;
      readonly match: RouteMatch;
    }
  | {
      readonly kind: "allowed";
      readonly identity: Authenticated;
      readonly match: RouteMatch;
      readonly decision: Extract<AuthorizeDecision, { allowed: true }>;
    };

export interface RackCallDeps {
  readonly authenticator: Authenticator;
  readonly rateLimits: RateLimitStore;
  readonly authFailureLimit: number;
  readonly authFailureWindowMs: number;
  /** Reads the admin setting that lets admins mint gateway-bypassing rack credentials. */
  readonly allowRackJwt: () => Promise<boolean>;
  readonly redaction: RedactionRules;
}

const ANONYMOUS: AuditActor = { type: "anonymous" };

// A gateway sees a handful of distinct user agents (CLI versions, CI runners): redact each once. Bounded, because
// the header is the client's to choose.
const MAX_REMEMBERED_USER_AGENTS = 256;
const userAgentsByRules = new WeakMap<RedactionRules, Map<string, string>>();

function redactedUserAgent(userAgent: string, rules: RedactionRules): string {
  let known = userAgentsByRules.get(rules);
  if (!known) {
    known = new Map();
    userAgentsByRules.set(rules, known);
  }
  let redacted = known.get(userAgent);
  if (redacted === undefined) {
    redacted = clip(redactString(userAgent, rules), 1000);
    if (known.size >= MAX_REMEMBERED_USER_AGENTS) known.clear();
    known.set(userAgent, redacted);
  }
  return redacted;
}

/** Builds an audit event for a rack call; every free-text field is redacted and clipped to the schema's limits. */
export function rackCallEvent(
  context: RackCallContext,
  rules: RedactionRules,
  fields: {
    action: string;
    actor: AuditActor;
    decision: AuditEvent["decision"];
    reason: string;
    match?: RouteMatch | null;
    status?: number;
    params?: Record<string, JsonValue>;
    detail?: Record<string, JsonValue>;
    latencyMs?: number;
  },
): AuditEvent {
  const path = fields.match ? fields.match.path : redactString(context.target.split("?")[0] ?? "", rules);
  const event: AuditEvent = {
    time: context.time.toISOString(),
    requestId: context.requestId,
    actor: fields.actor,
    action: fields.action,
    method: context.method,
    path: clip(path, 4096),
    decision: fields.decision,
    reason: clip(fields.reason, 2000),
  };
  if (fields.match?.permission) event.permission = fields.match.permission;
  if (fields.match?.app) event.app = clip(fields.match.app, 200);
  if (fields.params && Object.keys(fields.params).length > 0)
    event.params = redact(fields.params, rules) as Record<string, JsonValue>;
  if (fields.detail) event.detail = redact(fields.detail, rules) as Record<string, JsonValue>;
  if (fields.status !== undefined) event.status = fields.status;
  if (fields.latencyMs !== undefined) event.latencyMs = Math.round(fields.latencyMs * 1000) / 1000;
  if (context.clientIp) event.clientIp = clip(context.clientIp, 100);
  if (context.userAgent) event.userAgent = redactedUserAgent(context.userAgent, rules);
  return event;
}

export async function resolveRackCall(
  context: RackCallContext,
  headers: IncomingHttpHeaders,
  deps: RackCallDeps,
): Promise<RackCallResolution> {
  const match = matchConvoxRoute(context.method, context.target);
  // `convox login`'s reachability probe: answered without credentials, like the rack does.
  if (match?.route.answer === "check") return { kind: "check" };

  const deny = (error: GatewayError, actor: AuditActor, reason: string, matched: RouteMatch | null = match) =>
    ({
      kind: "denied",
      error,
      event: rackCallEvent(context, deps.redaction, {
        action: "rack.request",
        actor,
        decision: "deny",
        reason,
        match: matched,
        status: error.status,
      }),
    }) as const;

  // Failures are counted in the database (shared by every replica); a success costs no rate-limit query.
  const failAuthentication = async (reason: string) => {
    const rateKey = `auth-failure:ip:${context.clientIp ?? "unknown"}`;
    const failures = await deps.rateLimits.hit(rateKey, deps.authFailureWindowMs, context.time);
    if (failures <= deps.authFailureLimit) return deny(invalidAuthentication(), ANONYMOUS, reason);
    const seconds = Math.ceil(deps.authFailureWindowMs / 1000);
    return deny(
      new GatewayError(429, "RATE_LIMITED", "too many failed authentication attempts; try again later", {
        headers: { "Retry-After": String(seconds) },
      }),
      ANONYMOUS,
      `rate limited after ${failures} failed authentications from this address within ${seconds}s: ${reason}`,
    );
  };

  // Cached Basic credentials must not let other sites drive the rack (CSRF, cross-site websocket hijacking).
  const fetchSite = headers["sec-fetch-site"];
  if (isFromAnotherSite(fetchSite)) {
    return deny(
      new GatewayError(403, "FORBIDDEN", "cross-site browser requests cannot reach the rack proxy"),
      ANONYMOUS,
      anotherSiteReason(fetchSite),
    );
  }

  const credential = readCredential(headers.authorization);
  if (!credential) return failAuthentication("no usable credentials (Basic or Bearer API token required)");
  const authenticated = await deps.authenticator.authenticate(credential.secret, context.clientIp);
  if (!authenticated.ok) return failAuthentication(authenticated.reason);
  const identity = authenticated.identity;

  if (!match) {
    return deny(
      new GatewayError(404, "UNKNOWN_ROUTE", "no such rack API route"),
      identity.actor,
      "no route of the Convox API table matches (unknown, malformed or escaping path)",
      null,
    );
  }
  if (match.route.answer === "auth" || match.route.answer === "probe") {
    return { kind: "answer", answer: match.route.answer, identity, match };
  }

  const allowRackJwt = match.permission === "convox:rack:jwt" ? await deps.allowRackJwt() : false;
  const authorizeOptions = { ...(match.app === undefined ? {} : { app: match.app }), allowRackJwt };
  const decision = match.permission
    ? authorize(identity.principal, match.permission, authorizeOptions)
    : ({ allowed: false, reason: "route has no permission" } as const);
  if (!decision.allowed) {
    return deny(
      new GatewayError(403, "FORBIDDEN", `forbidden: ${decision.reason}`),
      identity.actor,
      decision.reason,
    );
  }
  // A run's option headers and a process that may be a build pod can amount to root on a node or to the rack's
  // password: more than the route's own permission says (process-policy.ts).
  const refusal = checkProcessPolicy(identity.principal, match, headers, {
    rules: deps.redaction,
    authorize: authorizeOptions,
  });
  if (refusal) return deny(refusal.error, identity.actor, refusal.reason);
  return { kind: "allowed", identity, match, decision };
}
