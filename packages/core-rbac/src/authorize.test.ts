import { describe, expect, it } from "vitest";
import { authorize, type Grant, matchConvoxRoute, type Principal } from "./index.js";

function user(...grants: Grant[]): Principal {
  return { kind: "user", id: "u1", name: "alice@example.com", grants };
}

function token(...grants: Grant[]): Principal {
  return { kind: "token", id: "t1", name: "ci-web", grants };
}

function decide(principal: Principal, method: string, path: string, deployApproved = false) {
  const match = matchConvoxRoute(method, path);
  if (match === null) throw new Error(`no route for ${method} ${path}`);
  return authorize(principal, match.permission, {
    ...(match.app === undefined ? {} : { app: match.app }),
    deployApproved,
  });
}

describe("authorize: roles", () => {
  it("allows with the grant and a reason naming role, permission and app", () => {
    const decision = authorize(user({ role: "ops" }), "convox:app:restart", { app: "web" });
    expect(decision).toEqual({
      allowed: true,
      grant: { role: "ops" },
      reason: "ops grant allows convox:app:restart on app web",
    });
  });

  it("denies with a reason naming role and permission", () => {
    expect(authorize(user({ role: "viewer" }), "convox:app:restart", { app: "web" })).toEqual({
      allowed: false,
      reason: "role viewer lacks convox:app:restart",
    });
  });

  it("denies a null or unknown permission, and a principal without grants", () => {
    expect(authorize(user({ role: "admin" }), null)).toEqual({
      allowed: false,
      reason: "no permission: the request matched no route the rack may serve",
    });
    // Well-formed, so it type-checks, but not in the catalog.
    expect(authorize(user({ role: "admin" }), "convox:app:everything").reason).toBe(
      'unknown permission "convox:app:everything"',
    );
    expect(authorize(user(), "convox:app:list")).toEqual({
      allowed: false,
      reason: "user alice@example.com holds no grants",
    });
  });

  it("throws a TypeError for something that is not a principal", () => {
    // @ts-expect-error misuse
    expect(() => authorize({ grants: "admin" }, "convox:app:list")).toThrow(TypeError);
    // @ts-expect-error misuse
    expect(() => authorize({ kind: "user", id: "x", name: "x", grants: [null] }, "convox:app:list")).toThrow(
      TypeError,
    );
  });
});

describe("authorize: app-scoped grants (deployer for web only + viewer everywhere)", () => {
  const alice = user({ role: "viewer" }, { role: "deployer", apps: ["web"] });

  it("deploys web", () => {
    const decision = decide(alice, "POST", "/apps/web/builds?");
    expect(decision).toEqual({
      allowed: true,
      grant: { role: "deployer", apps: ["web"] },
      reason: "deployer grant (apps: web) allows convox:build:create on app web",
    });
    expect(decide(alice, "POST", "/apps/web/releases/R1/promote?").allowed).toBe(true);
    expect(decide(alice, "PUT", "/apps/web/services/web?").allowed).toBe(true);
  });

  it("only reads api, and says why for each grant", () => {
    expect(decide(alice, "GET", "/apps/api/builds?").allowed).toBe(true);
    expect(decide(alice, "POST", "/apps/api/builds?")).toEqual({
      allowed: false,
      reason: "role viewer lacks convox:build:create; deployer grant (apps: web) does not cover app api",
    });
  });

  it("reads the rack through the unscoped viewer grant, never rack-wide writes through the scoped one", () => {
    expect(decide(alice, "GET", "/system?").allowed).toBe(true);
    expect(decide(alice, "POST", "/events?")).toEqual({
      allowed: false,
      reason:
        "role viewer lacks convox:event:send; deployer grant (apps: web) covers only app-scoped permissions, " +
        "not rack-wide convox:event:send",
    });
    expect(decide(alice, "PUT", "/v2/web/manifests/latest").allowed).toBe(false);
  });

  it("an app-scoped grant alone reads no rack-wide data", () => {
    const scoped = user({ role: "viewer", apps: ["web"] });
    expect(decide(scoped, "GET", "/apps/web?").allowed).toBe(true);
    expect(decide(scoped, "GET", "/apps?").allowed).toBe(false);
    expect(decide(scoped, "GET", "/system?").allowed).toBe(false);
  });

  it("needs the app when the grant is scoped", () => {
    expect(authorize(user({ role: "deployer", apps: ["web"] }), "convox:build:create")).toEqual({
      allowed: false,
      reason: "deployer grant (apps: web) needs an app, and the request names none",
    });
  });

  it("compares app names exactly", () => {
    const scoped = user({ role: "admin", apps: ["web"] });
    expect(authorize(scoped, "convox:app:delete", { app: "Web" }).allowed).toBe(false);
    expect(authorize(scoped, "convox:app:delete", { app: "web-staging" }).allowed).toBe(false);
    expect(authorize(scoped, "convox:app:delete", { app: "we" }).allowed).toBe(false);
  });
});

describe("authorize: explicit permission grants", () => {
  it("allows exactly the listed permissions", () => {
    const auditor = user({ permissions: ["gateway:audit:read", "gateway:audit:verify"] });
    expect(authorize(auditor, "gateway:audit:read")).toEqual({
      allowed: true,
      grant: { permissions: ["gateway:audit:read", "gateway:audit:verify"] },
      reason: "explicit grant [gateway:audit:read, gateway:audit:verify] allows gateway:audit:read",
    });
    expect(authorize(auditor, "gateway:audit:verify").allowed).toBe(true);
    expect(authorize(auditor, "gateway:settings:read")).toEqual({
      allowed: false,
      reason:
        "explicit grant [gateway:audit:read, gateway:audit:verify] does not include gateway:settings:read",
    });
  });

  it("scopes explicit grants to apps too", () => {
    const restarter = user({ permissions: ["convox:app:restart"], apps: ["web", "worker"] });
    expect(decide(restarter, "POST", "/apps/worker/services/w/restart").allowed).toBe(true);
    expect(decide(restarter, "POST", "/apps/api/services/w/restart").reason).toBe(
      "explicit grant [convox:app:restart] (apps: web, worker) does not cover app api",
    );
  });

  it("never grants convox:rack:jwt, even with the setting on", () => {
    const explicit = user({ permissions: ["convox:rack:jwt"] });
    expect(authorize(explicit, "convox:rack:jwt", { allowRackJwt: true })).toEqual({
      allowed: false,
      reason: "convox:rack:jwt cannot be granted explicitly; only the admin role holds it",
    });
  });
});

describe("authorize: convox:rack:jwt", () => {
  it("is disabled for everyone by default, admins included", () => {
    const decision = authorize(user({ role: "admin" }), "convox:rack:jwt");
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/^convox:rack:jwt is disabled: it mints rack credentials that bypass/);
  });

  it("is allowed to unscoped admins only when allowRackJwt is set", () => {
    expect(authorize(user({ role: "admin" }), "convox:rack:jwt", { allowRackJwt: true }).allowed).toBe(true);
    expect(authorize(user({ role: "deployer" }), "convox:rack:jwt", { allowRackJwt: true })).toEqual({
      allowed: false,
      reason: "role deployer lacks convox:rack:jwt",
    });
    expect(
      authorize(user({ role: "admin", apps: ["web"] }), "convox:rack:jwt", { allowRackJwt: true }).allowed,
    ).toBe(false);
    expect(authorize(token({ role: "cicd" }), "convox:rack:jwt", { allowRackJwt: true }).allowed).toBe(false);
  });
});

describe("authorize: cicd tokens", () => {
  const ci = token({ role: "cicd", apps: ["web"] }, { permissions: ["convox:rack:read"] });

  it("reads, and deploys only inside an approved deploy request", () => {
    expect(decide(ci, "GET", "/apps/web/builds/B1?").allowed).toBe(true);
    expect(decide(ci, "GET", "/system?").allowed).toBe(true);
    expect(decide(ci, "POST", "/apps/web/objects/tmp/a.tgz?").reason).toBe(
      "role cicd needs an approved deploy request for convox:object:create on app web; " +
        "explicit grant [convox:rack:read] does not include convox:object:create",
    );
    expect(decide(ci, "POST", "/apps/web/objects/tmp/a.tgz?", true).allowed).toBe(true);
    expect(decide(ci, "POST", "/apps/api/builds?", true).allowed).toBe(false);
  });

  it("never reads env values or secrets, even inside an approved deploy", () => {
    for (const permission of [
      "convox:env:read",
      "convox:env:set",
      "convox:secret:read",
      "convox:secret:set",
    ] as const) {
      expect(authorize(ci, permission, { app: "web", deployApproved: true })).toEqual({
        allowed: false,
        reason: `role cicd lacks ${permission}; explicit grant [convox:rack:read] does not include ${permission}`,
      });
    }
  });

  it("is ignored on a user", () => {
    expect(authorize(user({ role: "cicd" }), "convox:app:list")).toEqual({
      allowed: false,
      reason: "cicd grant applies to API tokens only, not to user alice@example.com",
    });
  });

  it("deployApproved changes nothing for person roles", () => {
    expect(
      authorize(user({ role: "viewer" }), "convox:build:create", { app: "web", deployApproved: true })
        .allowed,
    ).toBe(false);
  });
});

describe("authorize: several grants", () => {
  it("reports the first grant that allows, in the order the principal lists them", () => {
    const both = [{ role: "deployer", apps: ["web"] }, { role: "admin" }] as const;
    expect(authorize(user(...both), "convox:build:create", { app: "web" })).toMatchObject({
      grant: { role: "deployer", apps: ["web"] },
    });
    expect(authorize(user(both[1], both[0]), "convox:build:create", { app: "web" })).toMatchObject({
      grant: { role: "admin" },
    });
  });

  it("ignores a grant naming an unknown role, and says so", () => {
    // @ts-expect-error data from storage may be stale
    const stale = user({ role: "superuser" }, { role: "viewer" });
    expect(authorize(stale, "convox:app:restart", { app: "web" }).reason).toBe(
      'superuser grant names unknown role "superuser"; role viewer lacks convox:app:restart',
    );
  });
});
