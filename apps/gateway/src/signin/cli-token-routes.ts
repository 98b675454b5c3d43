/**
 * `POST /api/v1/auth/cli/token`: the CLI redeems the one-time loopback code with its PKCE verifier
 * (RFC 7636 §4.5-4.6, RFC 8252). The code is burnt by the first attempt, right or wrong, so a code that
 * leaked from the browser's history is worth nothing without the verifier the CLI never sent anywhere.
 */

import { timingSafeEqual } from "node:crypto";
import { createS256CodeChallenge } from "@rack-gateway/oauth";
import { Hono } from "hono";
import { z } from "zod";
import { describeSession } from "../api/me-routes.js";
import type { GatewayDeps } from "../deps.js";
import type { AppEnv } from "../http/identity.js";
import type { SessionRecord, UserRecord } from "../stores/types.js";
import { cleanDeviceName } from "./device-names.js";
import { oauthError, sha256Hex, signInEvent, startAuditedSession } from "./sign-in-common.js";
import { createSignInLimiter } from "./sign-in-limits.js";

const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

const tokenBody = z.object({
  code: z.string().min(1).max(200),
  code_verifier: z.string().min(1).max(200),
  device_name: z.string().max(200).optional(),
});

/** What both CLI flows answer once: the session token (shown once), the session and who it is. */
export function issuedSessionBody(token: string, session: SessionRecord, user: UserRecord) {
  return {
    token,
    session: describeSession(session, session.id),
    user: { id: user.id, email: user.email, name: user.name },
  };
}

function matchesChallenge(verifier: string, challenge: string | null): boolean {
  if (challenge === null || !CODE_VERIFIER.test(verifier)) return false;
  const computed = Buffer.from(createS256CodeChallenge(verifier));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

export function cliTokenRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const limiter = createSignInLimiter(deps.stores.rateLimits);

  app.post("/api/v1/auth/cli/token", async (c) => {
    const ip = c.get("clientIp");
    if (await limiter.blocked(ip, null, deps.now())) {
      deps.audit.record(
        signInEvent(c, deps.redaction, deps.now(), {
          action: "signin.rate-limited",
          decision: "deny",
          reason: "too many failed sign-ins from this address",
          status: 429,
        }),
      );
      return oauthError(c, 429, "slow_down", "too many failed sign-ins; wait 15 minutes");
    }
    const parsed = tokenBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success)
      return oauthError(c, 400, "invalid_request", "send JSON { code, code_verifier, device_name? }");
    const { code, code_verifier: verifier } = parsed.data;

    const fail = async (reason: string, email: string | null) => {
      const now = deps.now();
      deps.audit.record(
        signInEvent(c, deps.redaction, now, {
          action: "signin.failure",
          decision: "deny",
          reason,
          status: 400,
        }),
      );
      await limiter.recordFailure(ip, email, now);
      return oauthError(
        c,
        400,
        "invalid_grant",
        "the code is invalid, expired, already used, or the verifier does not match",
      );
    };

    const codeHash = sha256Hex(code);
    const found = await deps.stores.signIns.findCliGrant(codeHash);
    if (found?.kind !== "loopback") return fail("CLI code unknown", null);
    // Consume before checking the verifier: one try per code, whatever its outcome.
    const grant = await deps.stores.signIns.consumeCliGrant(codeHash, deps.now());
    if (!grant) return fail("CLI code expired or already used", null);
    const user = grant.userId ? await deps.stores.users.findById(grant.userId) : null;
    if (!matchesChallenge(verifier, grant.codeChallenge)) {
      return fail("PKCE code_verifier does not match the code_challenge (code burnt)", user?.email ?? null);
    }
    if (!user || user.lockedAt) return fail("the signed-in user is gone or locked", user?.email ?? null);

    const deviceName = cleanDeviceName(parsed.data.device_name) ?? grant.deviceName;
    const { token, session } = await startAuditedSession(deps, c, user, "cli", deviceName, "cli-loopback");
    return c.json(issuedSessionBody(token, session, user));
  });

  return app;
}
