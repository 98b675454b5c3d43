/** What the sign-in routes share: hashing of one-time values, audit events, and starting an audited session. */
import { createHash } from "node:crypto";
import type { AuditActor, AuditEvent, JsonValue } from "@rack-gateway/audit-chain";
import { type RedactionRules, redactString } from "@rack-gateway/redaction";
import type { Context } from "hono";
import { clipAuditText } from "../audit/audit-text.js";
import { userActor } from "../auth/sessions.js";
import type { GatewayDeps } from "../deps.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv } from "../http/identity.js";
import type { SessionChannel, SessionRecord, UserRecord } from "../stores/types.js";

export type SignInContext = Context<AppEnv>;

/** One-time values (state, codes) are stored only as their SHA-256, like tokens. */
export const sha256Hex = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

export const randomBase64Url = (random: GatewayDeps["random"], byteCount = 32) =>
  Buffer.from(random(byteCount)).toString("base64url");

/**
 * An audit event for a sign-in step. Everything in it that the client or the identity provider chose (the
 * reason's quoted text, the user agent, device names) is redacted with the gateway's rules: a pasted token must
 * not end up in the sealed chain or on stdout.
 */
export function signInEvent(
  c: SignInContext,
  rules: RedactionRules,
  now: Date,
  fields: {
    action: string;
    decision: AuditEvent["decision"];
    reason: string;
    status: number;
    actor?: AuditActor;
    detail?: Record<string, JsonValue>;
  },
): AuditEvent {
  const event: AuditEvent = {
    time: now.toISOString(),
    requestId: c.get("requestId"),
    actor: fields.actor ?? { type: "anonymous" },
    action: fields.action,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    decision: fields.decision,
    reason: clipAuditText(redactString(fields.reason, rules), 2000),
    status: fields.status,
  };
  const ip = c.get("clientIp");
  if (ip) event.clientIp = ip;
  const userAgent = c.req.header("user-agent");
  if (userAgent) event.userAgent = clipAuditText(redactString(userAgent, rules), 1000);
  if (fields.detail) {
    event.detail = Object.fromEntries(
      Object.entries(fields.detail).map(([key, value]) => [
        key,
        typeof value === "string" ? redactString(value, rules) : value,
      ]),
    );
  }
  return event;
}

/** The actor for an email we could not (or may not) tie to a user. */
export const claimedActor = (email: string): AuditActor => ({
  type: "anonymous",
  email: clipAuditText(email, 320),
});

/**
 * Starts a session and records `signin.success` durably before the token leaves the gateway: a session that
 * could not be audited is revoked at once and the client gets 503 AUDIT_UNAVAILABLE.
 */
export async function startAuditedSession(
  deps: GatewayDeps,
  c: SignInContext,
  user: UserRecord,
  channel: SessionChannel,
  deviceName: string,
  method: "browser" | "cli-loopback" | "device-code",
): Promise<{ token: string; session: SessionRecord }> {
  const started = await deps.sessions.start(user, channel, {
    deviceName,
    ip: c.get("clientIp"),
    userAgent: c.req.header("user-agent") ?? null,
  });
  const now = deps.now();
  try {
    await deps.audit.recordDurably(
      signInEvent(c, deps.redaction, now, {
        action: "signin.success",
        decision: "allow",
        reason: `${user.email} signed in (${method})`,
        status: 200,
        actor: userActor(user),
        detail: { userId: user.id, sessionId: started.session.id, channel, deviceName, method },
      }),
    );
  } catch (cause) {
    await deps.stores.sessions.revoke(started.session.id, "sign-in could not be audited", now);
    throw new GatewayError(503, "AUDIT_UNAVAILABLE", "the audit log is unavailable; try again shortly", {
      cause,
    });
  }
  return started;
}

/** RFC 6749 §5.2 / RFC 8628 §3.5 error body for the CLI's token endpoints. */
export function oauthError(
  c: SignInContext,
  status: 400 | 401 | 429 | 503,
  error: string,
  description: string,
) {
  return c.json({ error, error_description: description }, status);
}
