import { describe, expect, it } from "vitest";
import { createRouteMatcher, defineRoutes, explain, explainDecision, type Principal } from "./index.js";

const alice: Principal = {
  kind: "user",
  id: "u_1",
  name: "alice@example.com",
  grants: [{ role: "viewer" }, { role: "deployer", apps: ["web"] }],
};
const ci: Principal = { kind: "token", id: "t_9", name: "ci-web", grants: [{ role: "cicd", apps: ["web"] }] };

describe("explain", () => {
  it("tells every step of a denial", () => {
    expect(explain(alice, "POST", "/apps/api/services/web/restart?")).toBe(
      [
        'Request:    POST "/apps/api/services/web/restart?"',
        "Principal:  user alice@example.com (id u_1)",
        "Route:      POST /apps/{app}/services/{service}/restart — Restart a service",
        "Path:       /apps/api/services/web/restart (app api)",
        "Permission: convox:app:restart (app scope) — Restart an app's service",
        "MFA:        step-up",
        "Grants:",
        "  1. does not apply: role viewer lacks convox:app:restart",
        "  2. does not apply: deployer grant (apps: web) does not cover app api",
        "Decision:   DENY — role viewer lacks convox:app:restart; deployer grant (apps: web) does not cover app api",
      ].join("\n"),
    );
  });

  it("tells which grant allowed, on the normalised path", () => {
    expect(explain(alice, "POST", "/apps/api/../web/releases/R1/promote?")).toBe(
      [
        'Request:    POST "/apps/api/../web/releases/R1/promote?"',
        "Principal:  user alice@example.com (id u_1)",
        "Route:      POST /apps/{app}/releases/{id}/promote — Promote a release",
        "Path:       /apps/web/releases/R1/promote (app web)",
        "Permission: convox:release:promote (app scope) — Promote a release: deploy it",
        "MFA:        step-up",
        "Grants:",
        "  1. does not apply: role viewer lacks convox:release:promote",
        "  2. applies: deployer grant (apps: web) allows convox:release:promote on app web",
        "Decision:   ALLOW — deployer grant (apps: web) allows convox:release:promote on app web",
      ].join("\n"),
    );
  });

  it("notes that tokens are not asked for MFA, and why cicd needs an approved deploy", () => {
    const text = explain(ci, "POST", "/apps/web/builds?");
    expect(text).toContain("MFA:        step-up (not asked of API tokens)");
    expect(text).toContain(
      "Decision:   DENY — role cicd needs an approved deploy request for convox:build:create",
    );
    expect(explain(ci, "POST", "/apps/web/builds?", { deployApproved: true })).toContain("Decision:   ALLOW");
  });

  it("explains routes the gateway answers itself", () => {
    expect(explain(ci, "GET", "/racks?")).toBe(
      [
        'Request:    GET "/racks?"',
        "Principal:  token ci-web (id t_9)",
        "Route:      GET /racks — CLI probe (404)",
        "Path:       /racks",
        "Decision:   ANSWERED BY GATEWAY — the gateway answers it itself (404, the CLI's probe before a " +
          "websocket); it never reaches the rack",
      ].join("\n"),
    );
  });

  it("explains unknown and malformed paths", () => {
    expect(explain(alice, "GET", "/apps/web%2f..%2fapi")).toBe(
      [
        'Request:    GET "/apps/web%2f..%2fapi"',
        "Principal:  user alice@example.com (id u_1)",
        "Decision:   DENY — no route matches GET /apps/web%2f..%2fapi: unknown or malformed requests are denied",
      ].join("\n"),
    );
  });

  it("explains the jwt routes with and without the admin setting", () => {
    const admin: Principal = {
      kind: "user",
      id: "u_2",
      name: "root@example.com",
      grants: [{ role: "admin" }],
    };
    expect(explain(admin, "POST", "/system/jwt/token?")).toContain(
      "Decision:   DENY — convox:rack:jwt is disabled: it mints rack credentials that bypass the gateway",
    );
    expect(explain(admin, "POST", "/system/jwt/token?", { allowRackJwt: true })).toContain(
      "Decision:   ALLOW — admin grant allows convox:rack:jwt",
    );
  });

  it("explains against another table, e.g. the gateway's own API", () => {
    const matchRoute = createRouteMatcher(
      defineRoutes([
        { method: "GET", path: "/api/v1/audit", permission: "gateway:audit:read", mfa: "step-up" },
      ]),
    );
    expect(explain(alice, "GET", "/api/v1/audit", { matchRoute })).toContain(
      "Decision:   DENY — role viewer lacks gateway:audit:read; role deployer lacks gateway:audit:read",
    );
  });
});

describe("explainDecision", () => {
  it("returns the structured account", () => {
    const explanation = explainDecision(alice, "GET", "/apps/web/builds/B1.tgz?");
    expect(explanation).toMatchObject({
      principal: { kind: "user", id: "u_1", name: "alice@example.com" },
      outcome: "allow",
      mfaApplies: true,
      match: {
        path: "/apps/web/builds/B1.tgz",
        app: "web",
        params: { app: "web", id: "B1" },
        mfa: "step-up",
      },
      permission: { permission: "convox:build:export", scope: "app", minRole: "deployer" },
    });
    expect(explanation.grants.map((verdict) => verdict.applies)).toEqual([false, true]);
    expect(explainDecision(alice, "GET", "/check").outcome).toBe("answer");
    expect(explainDecision(alice, "GET", "/nowhere").outcome).toBe("deny");
  });
});
