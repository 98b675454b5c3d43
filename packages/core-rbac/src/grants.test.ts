import { describe, expect, it } from "vitest";
import { type Grant, grantsWithin, validateGrants } from "./index.js";

describe("validateGrants", () => {
  it.each<[string, unknown, "user" | "token"]>([
    ["a role", [{ role: "deployer" }], "user"],
    ["a role on apps", [{ role: "viewer" }, { role: "deployer", apps: ["web", "api-v2"] }], "user"],
    ["cicd on a token", [{ role: "cicd", apps: ["web"] }], "token"],
    ["a person role on a token", [{ role: "viewer" }], "token"],
    ["explicit permissions", [{ permissions: ["gateway:audit:read", "convox:rack:read"] }], "user"],
    ["explicit app permissions on apps", [{ permissions: ["convox:app:restart"], apps: ["web"] }], "user"],
    ["no grants at all", [], "user"],
  ])("accepts %s", (_label, grants, kind) => {
    expect(validateGrants(grants, { kind })).toBeNull();
  });

  it.each<[unknown, "user" | "token", string]>([
    ["deployer", "user", "grants must be a list"],
    [[null], "user", "grant #1: must be an object"],
    [[{ role: "cicd" }], "user", "grant #1: the cicd role is for API tokens only, never a person"],
    [[{ role: "root" }], "token", 'grant #1: unknown role "root"'],
    [
      [{ role: "viewer", permissions: ["convox:app:read"] }],
      "user",
      "grant #1: must have exactly one of role or permissions",
    ],
    [[{ apps: ["web"] }], "user", "grant #1: must have exactly one of role or permissions"],
    [[{ role: "viewer", app: "web" }], "user", 'grant #1: unknown field "app" (use role, permissions, apps)'],
    [[{ permissions: [] }], "user", "grant #1: permissions must be a non-empty list"],
    [[{ permissions: "convox:app:read" }], "user", "grant #1: permissions must be a non-empty list"],
    [[{ permissions: ["convox:app:god"] }], "user", 'grant #1: unknown permission "convox:app:god"'],
    [
      [{ permissions: ["convox:app:read", "convox:app:read"] }],
      "user",
      "grant #1: permissions lists a permission twice",
    ],
    [
      [{ permissions: ["convox:rack:jwt"] }],
      "user",
      "grant #1: convox:rack:jwt cannot be granted explicitly",
    ],
    [
      [{ role: "viewer" }, { role: "ops", apps: [] }],
      "user",
      "grant #2: apps must be a non-empty list (omit it for every app)",
    ],
    [
      [{ role: "ops", apps: "web" }],
      "user",
      "grant #1: apps must be a non-empty list (omit it for every app)",
    ],
    [[{ role: "ops", apps: ["web", "web"] }], "user", "grant #1: apps lists an app twice"],
    [
      [{ role: "ops", apps: ["Web"] }],
      "user",
      'grant #1: "Web" is not an app name (lower-case letters, digits and dashes, starting with a letter)',
    ],
    [
      [{ role: "ops", apps: ["*"] }],
      "user",
      'grant #1: "*" is not an app name (lower-case letters, digits and dashes, starting with a letter)',
    ],
    [
      [{ role: "ops", apps: ["web/../api"] }],
      "user",
      'grant #1: "web/../api" is not an app name (lower-case letters, digits and dashes, starting with a letter)',
    ],
    [
      [{ role: "ops", apps: ["-web"] }],
      "user",
      'grant #1: "-web" is not an app name (lower-case letters, digits and dashes, starting with a letter)',
    ],
    [
      [{ role: "ops", apps: [""] }],
      "user",
      'grant #1: "" is not an app name (lower-case letters, digits and dashes, starting with a letter)',
    ],
    [
      [{ role: "ops", apps: ["a".repeat(64)] }],
      "user",
      `grant #1: "${"a".repeat(64)}" is not an app name (lower-case letters, digits and dashes, starting with a letter)`,
    ],
    [
      [{ permissions: ["convox:rack:read"], apps: ["web"] }],
      "user",
      "grant #1: an app list cannot scope rack-wide permissions; drop apps or those permissions",
    ],
    [
      [{ permissions: ["gateway:audit:read"], apps: ["web"] }],
      "user",
      "grant #1: an app list cannot scope gateway-wide permissions; drop apps or those permissions",
    ],
  ])("rejects %j for a %s", (grants, kind, reason) => {
    expect(validateGrants(grants, { kind })).toBe(reason);
  });

  it("throws a TypeError without a kind", () => {
    // @ts-expect-error misuse
    expect(() => validateGrants([], {})).toThrow(TypeError);
  });
});

describe("grantsWithin", () => {
  const admin: Grant[] = [{ role: "admin" }];
  const deployer: Grant[] = [{ role: "deployer" }];
  const webDeployer: Grant[] = [{ role: "viewer" }, { role: "deployer", apps: ["web"] }];

  it("lets an admin create any token, cicd included", () => {
    for (const role of ["viewer", "ops", "deployer", "admin", "cicd"] as const) {
      expect(grantsWithin([{ role }], admin)).toEqual({ ok: true });
    }
    expect(
      grantsWithin([{ role: "cicd", apps: ["web"] }, { permissions: ["convox:rack:read"] }], admin),
    ).toEqual({
      ok: true,
    });
  });

  it("lets a person create a token with what it holds, or less", () => {
    expect(grantsWithin([{ role: "deployer" }], deployer)).toEqual({ ok: true });
    expect(grantsWithin([{ role: "ops", apps: ["api"] }], deployer)).toEqual({ ok: true });
    expect(grantsWithin([{ role: "deployer", apps: ["web"] }], webDeployer)).toEqual({ ok: true });
    expect(grantsWithin([{ role: "viewer" }], webDeployer)).toEqual({ ok: true });
    expect(grantsWithin([{ permissions: ["convox:build:create"], apps: ["web"] }], webDeployer)).toEqual({
      ok: true,
    });
  });

  it("lets a deployer create a cicd token: everything cicd could do, a deployer does", () => {
    expect(grantsWithin([{ role: "cicd" }], deployer)).toEqual({ ok: true });
    expect(grantsWithin([{ role: "cicd" }], [{ role: "ops" }])).toEqual({
      ok: false,
      reason:
        "requested cicd grant could use convox:build:create on any app, which the holder's grants do not allow",
    });
  });

  it("checks the rack-JWT setting on both sides", () => {
    expect(grantsWithin([{ role: "admin" }], admin, { allowRackJwt: true })).toEqual({ ok: true });
  });

  it("reports unknown roles and permissions in the request", () => {
    // @ts-expect-error stale data
    expect(grantsWithin([{ role: "root" }], admin)).toEqual({
      ok: false,
      reason: 'requested root grant: unknown role "root"',
    });
    // Well-formed, so it type-checks, but not in the catalog.
    expect(grantsWithin([{ permissions: ["convox:app:god"] }], admin)).toEqual({
      ok: false,
      reason: 'requested explicit grant [convox:app:god]: unknown permission "convox:app:god"',
    });
  });

  it("throws a TypeError for something that is not two grant lists", () => {
    // @ts-expect-error misuse
    expect(() => grantsWithin({ role: "admin" }, admin)).toThrow(TypeError);
  });
});
