/**
 * Device-code sign-in (RFC 8628) for machines without a browser: the CLI asks for a device code and a short
 * user code, a signed-in person approves or denies it at `/auth/device` (a POST form with the CSRF token,
 * never on a GET), and the CLI polls for its session token, which is issued once.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import { csrfTokenFor } from "../http/csrf.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv, Identity } from "../http/identity.js";
import { issuedSessionBody } from "./cli-token-routes.js";
import { cleanDeviceName } from "./device-names.js";
import {
  oauthError,
  randomBase64Url,
  type SignInContext,
  sha256Hex,
  signInEvent,
  startAuditedSession,
} from "./sign-in-common.js";
import { createSignInLimiter, DEVICE_START_LIMIT, USER_CODE_MISS_LIMIT } from "./sign-in-limits.js";
import {
  renderDeviceApprovalPage,
  renderDeviceEntryPage,
  renderDeviceResultPage,
  renderProblemPage,
} from "./sign-in-pages.js";
import { createUserCode, normalizeUserCode } from "./user-codes.js";

export const DEVICE_CODE_LIFETIME_SECONDS = 600;
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
/** Timer jitter allowance: a CLI sleeping exactly `interval` between polls is never told to slow down. */
const POLL_GRACE_MS = 250;
const DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

const startBody = z.object({ device_name: z.string().max(200).optional() });

type PersonIdentity = Extract<Identity, { kind: "session" }>;

function requirePerson(identity: Identity | null): PersonIdentity {
  // Only a person approves a device: an API token must never mint a person's session.
  if (identity?.kind !== "session")
    throw new GatewayError(403, "FORBIDDEN", "sign in as a person to approve a device");
  return identity;
}

async function readDeviceCode(c: SignInContext): Promise<string | null> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded")) {
    const form = await c.req.parseBody();
    if (form.grant_type !== undefined && form.grant_type !== DEVICE_GRANT_TYPE) return null;
    return typeof form.device_code === "string" ? form.device_code : null;
  }
  const body = (await c.req.json().catch(() => null)) as { device_code?: unknown } | null;
  return typeof body?.device_code === "string" && body.device_code.length <= 200 ? body.device_code : null;
}

export function deviceRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const limiter = createSignInLimiter(deps.stores.rateLimits);
  const missKey = (userId: string) => `device-code-miss:account:${userId}`;

  app.post("/api/v1/auth/device", async (c) => {
    if (!deps.identityProvider)
      throw new GatewayError(503, "SIGN_IN_NOT_CONFIGURED", "sign-in is not configured on this gateway");
    const parsed = startBody.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success) throw new GatewayError(400, "BAD_REQUEST", "send JSON { device_name? }");
    const now = deps.now();
    if (!(await limiter.allow(`device-start:ip:${c.get("clientIp") ?? "unknown"}`, DEVICE_START_LIMIT, now)))
      throw new GatewayError(429, "RATE_LIMITED", "too many device sign-ins started; wait 15 minutes");
    const deviceCode = randomBase64Url(deps.random);
    const userCode = createUserCode(deps.random);
    await deps.stores.signIns.saveCliGrant({
      codeHash: sha256Hex(deviceCode),
      kind: "device",
      userCode,
      codeChallenge: null,
      deviceName: cleanDeviceName(parsed.data.device_name) ?? "rack-gateway CLI (device code)",
      userId: null,
      status: "pending",
      createdAt: now,
      expiresAt: new Date(now.getTime() + DEVICE_CODE_LIFETIME_SECONDS * 1000),
    });
    const origin = deps.publicOrigin ?? new URL(c.req.url).origin;
    return c.json({
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: `${origin}/auth/device`,
      verification_uri_complete: `${origin}/auth/device?user_code=${userCode}`,
      expires_in: DEVICE_CODE_LIFETIME_SECONDS,
      interval: DEVICE_POLL_INTERVAL_SECONDS,
    });
  });

  app.post("/api/v1/auth/device/token", async (c) => {
    const deviceCode = await readDeviceCode(c);
    if (deviceCode === null) return oauthError(c, 400, "invalid_request", "send JSON { device_code }");
    const now = deps.now();
    const ip = c.get("clientIp");
    if (await limiter.blocked(ip, null, now))
      return oauthError(c, 429, "slow_down", "too many failed sign-ins; wait 15 minutes");
    const codeHash = sha256Hex(deviceCode);
    const grant = await deps.stores.signIns.findCliGrant(codeHash);
    if (grant?.kind !== "device") {
      await limiter.recordFailure(ip, null, now);
      return oauthError(c, 400, "invalid_grant", "unknown device_code");
    }
    if (grant.status === "consumed")
      return oauthError(c, 400, "invalid_grant", "this device_code was already used");
    if (grant.expiresAt.getTime() <= now.getTime())
      return oauthError(c, 400, "expired_token", "the device code expired; start again");
    const previousPoll = await deps.stores.signIns.recordPoll(codeHash, now);
    if (
      previousPoll !== null &&
      now.getTime() - previousPoll.getTime() < DEVICE_POLL_INTERVAL_SECONDS * 1000 - POLL_GRACE_MS
    ) {
      return oauthError(c, 400, "slow_down", `poll at most every ${DEVICE_POLL_INTERVAL_SECONDS} seconds`);
    }
    if (grant.status === "pending")
      return oauthError(c, 400, "authorization_pending", "waiting for a person to approve the code");
    if (grant.status === "denied") return oauthError(c, 400, "access_denied", "the sign-in was denied");

    const consumed = await deps.stores.signIns.consumeCliGrant(codeHash, now);
    if (!consumed) return oauthError(c, 400, "invalid_grant", "this device_code was already used or expired");
    const user = consumed.userId ? await deps.stores.users.findById(consumed.userId) : null;
    if (!user || user.lockedAt)
      return oauthError(c, 400, "access_denied", "the approving account is gone or locked");
    const { token, session } = await startAuditedSession(
      deps,
      c,
      user,
      "cli",
      consumed.deviceName,
      "device-code",
    );
    return c.json(issuedSessionBody(token, session, user));
  });

  /** Finds the pending grant a person typed, counting misses against them (RFC 8628 §5.1). */
  const findPending = async (c: SignInContext, person: PersonIdentity, typed: string | undefined) => {
    const now = deps.now();
    if (!(await limiter.isUnder(missKey(person.user.id), USER_CODE_MISS_LIMIT, now))) {
      deps.audit.record(
        signInEvent(c, deps.redaction, now, {
          action: "signin.rate-limited",
          decision: "deny",
          reason: "too many wrong device codes",
          status: 429,
          actor: person.actor,
        }),
      );
      return {
        page: c.html(
          renderProblemPage("Too many wrong codes", "Wait 15 minutes and try again.", { retry: false }),
          429,
        ),
      };
    }
    const userCode = normalizeUserCode(typed);
    const grant = userCode === null ? null : await deps.stores.signIns.findCliGrantByUserCode(userCode, now);
    if (grant?.kind !== "device" || grant.status !== "pending") {
      await limiter.allow(missKey(person.user.id), USER_CODE_MISS_LIMIT, now);
      return {
        page: c.html(
          renderDeviceEntryPage(
            "No device is waiting for that code. Check it, or start again on the device: codes last 10 minutes.",
          ),
          404,
        ),
      };
    }
    return { grant };
  };

  app.get("/auth/device", async (c) => {
    const person = requirePerson(c.get("identity"));
    const typed = c.req.query("user_code");
    if (typed === undefined || typed === "") return c.html(renderDeviceEntryPage(null));
    const found = await findPending(c, person, typed);
    if ("page" in found) return found.page;
    return c.html(
      renderDeviceApprovalPage({
        userCode: found.grant.userCode ?? "",
        deviceName: found.grant.deviceName,
        email: person.user.email,
        expiresAt: found.grant.expiresAt,
        csrfToken: csrfTokenFor(deps.appSecretKey, person.session.id),
      }),
    );
  });

  app.post("/auth/device", async (c) => {
    const person = requirePerson(c.get("identity"));
    const form = await c.req.parseBody();
    const decision = form.decision;
    if (decision !== "approve" && decision !== "deny")
      throw new GatewayError(400, "BAD_REQUEST", "decision must be approve or deny");
    const found = await findPending(
      c,
      person,
      typeof form.user_code === "string" ? form.user_code : undefined,
    );
    if ("page" in found) return found.page;
    const now = deps.now();
    const status = decision === "approve" ? "approved" : "denied";
    if (
      !(await deps.stores.signIns.resolveCliGrant(
        found.grant.codeHash,
        { status, userId: person.user.id },
        now,
      ))
    ) {
      return c.html(
        renderProblemPage("Already decided", "This code was already approved, denied or has expired.", {
          retry: false,
        }),
        409,
      );
    }
    await deps.audit.recordDurably(
      signInEvent(c, deps.redaction, now, {
        action: decision === "approve" ? "signin.device.approve" : "signin.device.deny",
        decision: decision === "approve" ? "allow" : "deny",
        reason: `${person.user.email} ${status} a device sign-in`,
        status: 200,
        actor: person.actor,
        detail: {
          userId: person.user.id,
          deviceName: found.grant.deviceName,
          userCode: found.grant.userCode ?? "",
        },
      }),
    );
    return c.html(renderDeviceResultPage(decision, found.grant.deviceName));
  });

  return app;
}
