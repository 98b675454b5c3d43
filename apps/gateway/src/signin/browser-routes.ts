/**
 * Browser sign-in: `/auth/login` and `/auth/cli/start` send the browser to the identity provider (state,
 * nonce, PKCE — RFC 6749 §10.12, RFC 7636), `/auth/callback` checks the answer and either starts a web
 * session (rotated: always new, the previous one revoked) or hands the CLI a one-time loopback code
 * (RFC 8252 §7.3). Only pre-provisioned, unlocked users get in; every refusal is audited and rate-limited.
 */
import {
  generateCodeVerifier,
  generateNonce,
  generateState,
  type OidcClient,
  OidcProviderError,
  type SignInErrorCode,
  verifyState,
} from "@rack-gateway/oauth";
import { Hono } from "hono";
import { clipAuditText } from "../audit/audit-text.js";
import type { GatewayDeps } from "../deps.js";
import {
  clearSignInCookie,
  readSignInCookie,
  writeSessionCookie,
  writeSignInCookie,
} from "../http/cookies.js";
import type { AppEnv } from "../http/identity.js";
import type { SignInAttempt } from "../stores/types.js";
import { decodeSignInBinding, encodeSignInBinding } from "./binding-cookie.js";
import { cleanDeviceName, describeBrowser } from "./device-names.js";
import { parseLoopbackRedirectUri } from "./loopback-redirect.js";
import { DEFAULT_RETURN_TO, parseReturnTo } from "./return-to.js";
import {
  claimedActor,
  randomBase64Url,
  type SignInContext,
  sha256Hex,
  signInEvent,
  startAuditedSession,
} from "./sign-in-common.js";
import { createSignInLimiter } from "./sign-in-limits.js";
import { renderProblemPage, renderSignedInPage } from "./sign-in-pages.js";

/** How long a person has at the identity provider before the attempt is void. */
const ATTEMPT_LIFETIME_MS = 10 * 60_000;
/** The CLI redeems its loopback code at once; a minute is plenty. */
const LOOPBACK_CODE_LIFETIME_MS = 60_000;
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const CLI_STATE = /^[\x21-\x7e]{1,512}$/;

const UNVERIFIED =
  "The identity provider's answer could not be verified, so you were not signed in. Start again.";
const REFUSAL_MESSAGES: Record<SignInErrorCode, string> = {
  TOKEN_EXCHANGE_FAILED: "The identity provider did not confirm this sign-in. Start again.",
  INVALID_ID_TOKEN: UNVERIFIED,
  ID_TOKEN_EXPIRED: UNVERIFIED,
  ISSUER_MISMATCH: UNVERIFIED,
  AUDIENCE_MISMATCH: UNVERIFIED,
  NONCE_MISMATCH: UNVERIFIED,
  EMAIL_MISSING: "Your account has no email address at the identity provider, so it cannot sign in here.",
  EMAIL_INVALID:
    "Your account's email address holds characters other than plain ASCII letters, digits and symbols, so it cannot sign in here.",
  EMAIL_NOT_VERIFIED: "Your account's email address is not verified at the identity provider.",
  DOMAIN_NOT_ALLOWED: "Your account is not in a domain allowed to use this gateway.",
};

export function browserSignInRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const limiter = createSignInLimiter(deps.stores.rateLimits);

  const notConfigured = (c: SignInContext) =>
    c.html(
      renderProblemPage(
        "Sign-in is not configured",
        "This gateway has no identity provider (SIGN_IN_NOT_CONFIGURED). An operator must set GOOGLE_* or OIDC_* first; API tokens still work.",
        { retry: false },
      ),
      503,
    );

  /**
   * Audits a refusal, counts it against the address (and account), and renders the page. The count is written
   * before the answer goes out: otherwise a burst of parallel attempts would all be judged before any was counted.
   */
  const refuse = async (
    c: SignInContext,
    options: {
      status: 400 | 403 | 502;
      reason: string;
      title: string;
      message: string;
      email?: string;
      userId?: string;
    },
  ) => {
    const now = deps.now();
    deps.audit.record(
      signInEvent(c, deps.redaction, now, {
        action: "signin.failure",
        decision: "deny",
        reason: options.reason,
        status: options.status,
        ...(options.email === undefined ? {} : { actor: claimedActor(options.email) }),
        ...(options.userId === undefined ? {} : { detail: { userId: options.userId } }),
      }),
    );
    await limiter.recordFailure(c.get("clientIp"), options.email ?? null, now).catch((error: unknown) => {
      deps.logError("could not count a sign-in failure", error);
    });
    return c.html(renderProblemPage(options.title, options.message), options.status);
  };

  const rateLimited = (c: SignInContext, which: "ip" | "account", email?: string) => {
    deps.audit.record(
      signInEvent(c, deps.redaction, deps.now(), {
        action: "signin.rate-limited",
        decision: "deny",
        reason: `too many failed sign-ins from this ${which === "ip" ? "address" : "account"}`,
        status: 429,
        ...(email === undefined ? {} : { actor: claimedActor(email) }),
      }),
    );
    return c.html(
      renderProblemPage(
        "Too many failed sign-ins",
        "Too many sign-ins failed recently. Wait 15 minutes and try again, or ask an admin.",
        { retry: false },
      ),
      429,
    );
  };

  /** Saves a single-use attempt, binds it to this browser, and sends the browser to the provider. */
  const begin = async (
    c: SignInContext,
    provider: OidcClient,
    attempt: Pick<SignInAttempt, "flow" | "returnTo" | "cliCodeChallenge" | "deviceName">,
  ) => {
    const blocked = await limiter.blocked(c.get("clientIp"), null, deps.now());
    if (blocked) return rateLimited(c, blocked);
    const state = generateState(deps.random);
    const nonce = generateNonce(deps.random);
    const codeVerifier = generateCodeVerifier(deps.random);
    let url: URL;
    try {
      url = await provider.createAuthorizationRequest({ state, nonce, codeVerifier });
    } catch (error) {
      if (!(error instanceof OidcProviderError)) throw error;
      deps.logError("identity provider discovery failed", error);
      return c.html(
        renderProblemPage(
          "Identity provider unavailable",
          "The identity provider did not answer. Try again shortly.",
        ),
        502,
      );
    }
    const now = deps.now();
    await deps.stores.signIns.saveAttempt({
      ...attempt,
      stateHash: sha256Hex(state),
      nonce,
      codeVerifier,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ATTEMPT_LIFETIME_MS),
    });
    const identity = c.get("identity");
    const previousSessionId =
      identity?.kind === "session" && identity.via === "cookie" ? identity.session.id : null;
    writeSignInCookie(
      c,
      deps.cookies,
      encodeSignInBinding(deps.appSecretKey, { state, previousSessionId }),
      ATTEMPT_LIFETIME_MS / 1000,
    );
    return c.redirect(url.toString(), 303);
  };

  app.get("/auth/login", async (c) => {
    const provider = deps.identityProvider;
    if (!provider) return notConfigured(c);
    const returnTo = parseReturnTo(c.req.query("return_to")) ?? DEFAULT_RETURN_TO;
    return begin(c, provider, { flow: "web", returnTo, cliCodeChallenge: null, deviceName: null });
  });

  app.get("/auth/cli/start", async (c) => {
    const provider = deps.identityProvider;
    if (!provider) return notConfigured(c);
    const query = c.req.query();
    const redirectUri = parseLoopbackRedirectUri(query.redirect_uri);
    // Never redirect to an address we did not validate (RFC 6749 §4.1.2.1): a page, not a redirect.
    const problem =
      redirectUri === null
        ? "redirect_uri must be http://127.0.0.1:PORT/… or http://[::1]:PORT/… (RFC 8252 loopback redirect)."
        : query.code_challenge_method !== "S256" || !PKCE_CHALLENGE.test(query.code_challenge ?? "")
          ? "code_challenge (43 characters) with code_challenge_method=S256 is required (RFC 7636)."
          : !CLI_STATE.test(query.state ?? "")
            ? "state is required (1-512 printable characters)."
            : null;
    if (redirectUri === null || problem !== null) {
      deps.audit.record(
        signInEvent(c, deps.redaction, deps.now(), {
          action: "signin.failure",
          decision: "deny",
          reason: `CLI sign-in refused: ${problem}`,
          status: 400,
        }),
      );
      return c.html(
        renderProblemPage("This sign-in link is not valid", problem ?? "", { retry: false }),
        400,
      );
    }
    redirectUri.searchParams.set("state", query.state ?? "");
    return begin(c, provider, {
      flow: "cli-loopback",
      returnTo: redirectUri.toString(),
      cliCodeChallenge: query.code_challenge ?? null,
      deviceName: cleanDeviceName(query.device_name) ?? "rack-gateway CLI",
    });
  });

  app.get("/auth/callback", async (c) => {
    const provider = deps.identityProvider;
    if (!provider) return notConfigured(c);
    const query = c.req.query();
    const binding = decodeSignInBinding(deps.appSecretKey, readSignInCookie(c, deps.cookies));
    clearSignInCookie(c, deps.cookies);
    // Take (and so burn) the attempt first: whatever happens next, this state never works again.
    const attempt = query.state
      ? await deps.stores.signIns.takeAttempt(sha256Hex(query.state), deps.now())
      : null;
    const restart =
      "This sign-in link is not valid in this browser, has expired or was already used. Start again.";
    if (!binding || !verifyState(binding.state, query.state)) {
      return refuse(c, {
        status: 400,
        reason: binding
          ? "callback state does not match this browser's sign-in"
          : "callback without the sign-in binding cookie",
        title: "Sign-in not completed",
        message: restart,
      });
    }
    if (!attempt) {
      return refuse(c, {
        status: 400,
        reason: "sign-in state unknown, expired or already used",
        title: "Sign-in not completed",
        message: restart,
      });
    }
    const blocked = await limiter.blocked(c.get("clientIp"), null, deps.now());
    if (blocked) return rateLimited(c, blocked);
    if (query.error !== undefined) {
      return refuse(c, {
        status: 403,
        reason: `the identity provider answered ${clipAuditText(query.error, 100)}`,
        title: "Sign-in cancelled",
        message: "The identity provider did not sign you in.",
      });
    }

    let result: Awaited<ReturnType<OidcClient["completeSignIn"]>>;
    try {
      result = await provider.completeSignIn({
        code: query.code ?? "",
        codeVerifier: attempt.codeVerifier,
        expectedNonce: attempt.nonce,
      });
    } catch (error) {
      if (!(error instanceof OidcProviderError)) throw error;
      deps.logError("identity provider failed during sign-in", error);
      return refuse(c, {
        status: 502,
        reason: `identity provider failure: ${error.message}`,
        title: "Identity provider unavailable",
        message: "The identity provider did not answer properly. Try again shortly.",
      });
    }
    if (!result.ok) {
      return refuse(c, {
        status: 403,
        reason: `${result.code}: ${result.message}`,
        title: "Sign-in refused",
        message: REFUSAL_MESSAGES[result.code],
      });
    }

    const email = result.identity.email.toLowerCase();
    const overLimit = await limiter.blocked(null, email, deps.now());
    if (overLimit === "account") return rateLimited(c, "account", email);
    const user = await deps.stores.users.findByEmail(email);
    if (!user) {
      // No self-sign-up: a verified, in-domain person still needs an admin to add them.
      return refuse(c, {
        status: 403,
        reason: `${email} is not a user of this gateway`,
        title: "Not allowed",
        message: `${email} may not use this gateway. Ask an admin to add you.`,
        email,
      });
    }
    if (user.lockedAt) {
      return refuse(c, {
        status: 403,
        reason: `account ${email} is locked`,
        title: "Account locked",
        message: "Your account is locked. Ask an admin.",
        email,
        userId: user.id,
      });
    }

    if (attempt.flow === "cli-loopback") {
      const code = randomBase64Url(deps.random);
      const now = deps.now();
      await deps.stores.signIns.saveCliGrant({
        codeHash: sha256Hex(code),
        kind: "loopback",
        userCode: null,
        codeChallenge: attempt.cliCodeChallenge,
        deviceName: attempt.deviceName ?? "rack-gateway CLI",
        userId: user.id,
        status: "approved",
        createdAt: now,
        expiresAt: new Date(now.getTime() + LOOPBACK_CODE_LIFETIME_MS),
      });
      const target = new URL(attempt.returnTo);
      target.searchParams.set("code", code);
      return c.redirect(target.toString(), 303);
    }

    // Rotation: a sign-in always makes a new session, and the one this browser had (if any) ends.
    const now = deps.now();
    const identity = c.get("identity");
    const presented = identity?.kind === "session" && identity.via === "cookie" ? identity.session.id : null;
    const previous = new Set([binding.previousSessionId, presented]);
    for (const sessionId of previous) {
      if (sessionId) await deps.stores.sessions.revoke(sessionId, "replaced by a new sign-in", now);
    }
    const { token } = await startAuditedSession(
      deps,
      c,
      user,
      "web",
      describeBrowser(c.req.header("user-agent")),
      "browser",
    );
    const { absoluteHours } = await deps.sessions.lifetimes("web");
    writeSessionCookie(c, deps.cookies, token, absoluteHours * 3600);
    const returnTo = parseReturnTo(attempt.returnTo) ?? DEFAULT_RETURN_TO;
    return c.html(renderSignedInPage(user.email, returnTo), 200);
  });

  return app;
}
