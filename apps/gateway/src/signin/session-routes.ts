/** The signed-in landing page (`/auth/done`, also "return to your terminal") and logout. */
import { Hono } from "hono";
import type { GatewayDeps } from "../deps.js";
import { clearSessionCookie } from "../http/cookies.js";
import { csrfTokenFor } from "../http/csrf.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv } from "../http/identity.js";
import { signInEvent } from "./sign-in-common.js";
import {
  renderAccountPage,
  renderNotSignedInPage,
  renderReturnToTerminalPage,
  renderSignedOutPage,
} from "./sign-in-pages.js";

export function sessionRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();

  app.get("/auth/done", (c) => {
    if (c.req.query("flow") === "cli") return c.html(renderReturnToTerminalPage());
    const identity = c.get("identity");
    if (identity?.kind !== "session" || identity.via !== "cookie") return c.html(renderNotSignedInPage());
    return c.html(renderAccountPage(identity.user, csrfTokenFor(deps.appSecretKey, identity.session.id)));
  });

  // A POST (the guard checks Origin and the CSRF token for cookies), so no link or image can sign anyone out.
  app.post("/auth/logout", async (c) => {
    const identity = c.get("identity");
    if (identity?.kind !== "session")
      throw new GatewayError(400, "BAD_REQUEST", "only sessions sign out; revoke an API token instead");
    const now = deps.now();
    const revoked = await deps.stores.sessions.revoke(identity.session.id, "signed out", now);
    if (revoked) {
      await deps.audit.recordDurably(
        signInEvent(c, deps.redaction, now, {
          action: "signout",
          decision: "allow",
          reason: `${identity.user.email} signed out`,
          status: 200,
          actor: identity.actor,
          detail: {
            userId: identity.user.id,
            sessionId: identity.session.id,
            channel: identity.session.channel,
            deviceName: identity.session.deviceName,
          },
        }),
      );
    }
    if (identity.via === "cookie") {
      clearSessionCookie(c, deps.cookies);
      if ((c.req.header("content-type") ?? "").includes("application/x-www-form-urlencoded"))
        return c.html(renderSignedOutPage());
    }
    return c.json({ signedOut: true });
  });

  return app;
}
