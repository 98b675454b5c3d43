// Threat: a user mints an API token, or edits grants, to gain more power than they hold.
import { describe, expect, it } from "vitest";
import { authorize, type Grant, grantsWithin, type Principal, permissionsOfRole } from "./index.js";

const webDeployer: Grant[] = [{ role: "viewer" }, { role: "deployer", apps: ["web"] }];

describe("a token never grants more than its creator holds", () => {
  it.each<[string, Grant[], Grant[], string]>([
    [
      "a higher role",
      [{ role: "admin" }],
      [{ role: "deployer" }],
      "requested admin grant could use convox:app:create, which the holder's grants do not allow",
    ],
    [
      "the same role on every app when held on one",
      [{ role: "deployer" }],
      webDeployer,
      "requested deployer grant could use convox:app:update on any app, which the holder's grants do not allow",
    ],
    [
      "the same role on another app",
      [{ role: "deployer", apps: ["web", "api"] }],
      webDeployer,
      "requested deployer grant (apps: web, api) could use convox:app:update on app api, which the holder's grants do not allow",
    ],
    [
      "one extra permission",
      [{ permissions: ["convox:app:read", "convox:config:read"] }],
      [{ role: "viewer" }],
      "requested explicit grant [convox:app:read, convox:config:read] could use convox:config:read on any app, which the holder's grants do not allow",
    ],
    [
      "a gateway permission",
      [{ permissions: ["gateway:token:manage"] }],
      [{ role: "deployer" }],
      "requested explicit grant [gateway:token:manage] could use gateway:token:manage, which the holder's grants do not allow",
    ],
    [
      "an env permission (a cicd token cannot stand in for it)",
      [{ permissions: ["convox:env:read"] }],
      [{ role: "cicd" }],
      "requested explicit grant [convox:env:read] could use convox:env:read on any app, which the holder's grants do not allow",
    ],
    [
      "cicd from a holder whose only deploy power is a cicd grant (no deploy approval carries over)",
      [{ role: "cicd" }],
      [{ role: "cicd" }],
      "requested cicd grant could use convox:app:list, which the holder's grants do not allow",
    ],
    [
      "a rack-wide permission through an app-scoped holder grant",
      [{ permissions: ["convox:event:send"] }],
      [{ role: "deployer", apps: ["web"] }],
      "requested explicit grant [convox:event:send] could use convox:event:send, which the holder's grants do not allow",
    ],
    [
      "admin with rack JWTs enabled, from a holder of every admin permission listed explicitly",
      [{ role: "admin" }],
      [{ permissions: permissionsOfRole("admin") }],
      "requested admin grant could use convox:rack:jwt, which the holder's grants do not allow",
    ],
  ])("refuses %s", (_label, requested, holder, reason) => {
    expect(grantsWithin(requested, holder, { allowRackJwt: true })).toEqual({ ok: false, reason });
  });

  it("allows that explicit holder an admin token while rack JWTs stay off", () => {
    expect(grantsWithin([{ role: "admin" }], [{ permissions: permissionsOfRole("admin") }])).toEqual({
      ok: true,
    });
  });

  it("refuses malformed grants instead of reading a string as a list", () => {
    const malformed = [{ role: "viewer", apps: "web" }] as unknown as Grant[];
    expect(grantsWithin(malformed, [{ role: "admin" }])).toEqual({
      ok: false,
      reason: "requested viewer grant: apps must be a list",
    });
  });
});

describe("authorize never trusts malformed or misplaced grants", () => {
  function user(grants: unknown): Principal {
    return { kind: "user", id: "u", name: "mallory@example.com", grants: grants as Grant[] };
  }

  it("does not read an app list stored as a string ('web-api' must not cover 'web')", () => {
    expect(
      authorize(user([{ role: "admin", apps: "web-api" }]), "convox:app:delete", { app: "web" }),
    ).toEqual({
      allowed: false,
      reason: "admin grant has a malformed app list",
    });
  });

  it("does not read a permission list stored as a string", () => {
    const decision = authorize(user([{ permissions: "convox:app:delete" }]), "convox:app:delete", {
      app: "web",
    });
    expect(decision.allowed).toBe(false);
  });

  it("gives nothing for an empty app list", () => {
    expect(authorize(user([{ role: "admin", apps: [] }]), "convox:app:delete", { app: "web" }).reason).toBe(
      "admin grant (apps: ) does not cover app web",
    );
  });

  it("does not let a person use a cicd grant, approved deploy or not", () => {
    const decision = authorize(user([{ role: "cicd" }]), "convox:build:create", {
      app: "web",
      deployApproved: true,
    });
    expect(decision.allowed).toBe(false);
  });

  it("does not let an app-scoped admin reach rack-wide or gateway permissions", () => {
    const scopedAdmin = user([{ role: "admin", apps: ["web"] }]);
    for (const permission of ["convox:rack:update", "convox:app:create", "gateway:token:manage"] as const) {
      expect(authorize(scopedAdmin, permission, { app: "web" }).allowed).toBe(false);
    }
  });
});
