import { describe, expect, it } from "vitest";
import {
  CONVOX_PERMISSIONS,
  CONVOX_ROUTES,
  GATEWAY_PERMISSIONS,
  getPermissionInfo,
  isPermission,
  isPersonRole,
  isRole,
  PERSON_ROLES,
  permissionsOfRole,
  ROLES,
  roleIncludes,
  roleRank,
} from "./index.js";

const POLICY_ONLY = ["convox:env:read", "convox:env:set", "convox:secret:read", "convox:secret:set"];

describe("catalog and route table agree", () => {
  it("every route's permission is in the catalog", () => {
    const unknown = CONVOX_ROUTES.filter((r) => r.permission !== null && !isPermission(r.permission));
    expect(unknown).toEqual([]);
  });

  it("every convox permission is used by a route, except the env/secret ones the policy checks", () => {
    const used = new Set(CONVOX_ROUTES.map((route) => route.permission));
    const unused = CONVOX_PERMISSIONS.map((info) => info.permission).filter((p) => !used.has(p));
    expect(unused).toEqual(POLICY_ONLY);
  });

  it("app-scoped permissions sit only on routes with an {app}", () => {
    const misplaced = CONVOX_ROUTES.filter(
      (route) => route.permission !== null && getPermissionInfo(route.permission)?.scope === "app",
    ).filter((route) => !route.path.includes("{app}"));
    expect(misplaced).toEqual([]);
  });

  it("routes under /apps/{app} carry app-scoped permissions", () => {
    const rackWide = CONVOX_ROUTES.filter((route) => route.path.startsWith("/apps/{app}")).filter(
      (route) => route.permission === null || getPermissionInfo(route.permission)?.scope !== "app",
    );
    expect(rackWide).toEqual([]);
  });

  it("catalog entries are unique, well-formed and described", () => {
    const all = [...CONVOX_PERMISSIONS, ...GATEWAY_PERMISSIONS];
    expect(new Set(all.map((info) => info.permission)).size).toBe(all.length);
    for (const info of all) {
      expect(info.permission).toMatch(/^(convox|gateway):[a-z-]+:[a-z-]+$/);
      expect(info.description.length).toBeGreaterThan(5);
      expect(info.description).not.toContain("\n");
    }
    expect(CONVOX_PERMISSIONS.every((info) => info.permission.startsWith("convox:"))).toBe(true);
    expect(GATEWAY_PERMISSIONS.every((info) => info.permission.startsWith("gateway:"))).toBe(true);
  });

  it("the catalog and the table cannot be changed at run time", () => {
    expect(Object.isFrozen(CONVOX_ROUTES)).toBe(true);
    expect(Object.isFrozen(CONVOX_ROUTES[0])).toBe(true);
    expect(Object.isFrozen(CONVOX_PERMISSIONS)).toBe(true);
    expect(Object.isFrozen(GATEWAY_PERMISSIONS[0])).toBe(true);
  });

  it("isPermission knows only the catalog", () => {
    expect(isPermission("convox:app:read")).toBe(true);
    expect(isPermission("gateway:audit:verify")).toBe(true);
    expect(isPermission("convox:app:everything")).toBe(false);
    expect(isPermission("convox:app:read ")).toBe(false);
    expect(isPermission(42)).toBe(false);
    expect(getPermissionInfo("convox:nope:nope")).toBeNull();
  });
});

describe("roles", () => {
  it("lists roles and person roles", () => {
    expect(ROLES).toEqual(["viewer", "ops", "deployer", "admin", "cicd"]);
    expect(PERSON_ROLES).toEqual(["viewer", "ops", "deployer", "admin"]);
    expect(isRole("cicd")).toBe(true);
    expect(isRole("root")).toBe(false);
    expect(isPersonRole("cicd")).toBe(false);
    expect(isPersonRole("ops")).toBe(true);
  });

  it("ranks person roles and refuses cicd", () => {
    expect(PERSON_ROLES.map(roleRank)).toEqual([0, 1, 2, 3]);
    // @ts-expect-error cicd has no rank
    expect(() => roleRank("cicd")).toThrow(TypeError);
  });

  it.each([
    ["admin", "viewer", true],
    ["admin", "cicd", true],
    ["deployer", "ops", true],
    ["deployer", "cicd", true],
    ["ops", "deployer", false],
    ["ops", "cicd", false],
    ["viewer", "viewer", true],
    ["viewer", "ops", false],
    ["cicd", "viewer", false],
    ["cicd", "cicd", true],
    ["deployer", "admin", false],
  ] as const)("roleIncludes(%s, %s) is %s", (a, b, expected) => {
    expect(roleIncludes(a, b)).toBe(expected);
  });
});

describe("permissionsOfRole", () => {
  it("each person role holds everything below it", () => {
    for (const [lower, higher] of [
      ["viewer", "ops"],
      ["ops", "deployer"],
      ["deployer", "admin"],
    ] as const) {
      const held = permissionsOfRole(higher);
      expect(permissionsOfRole(lower).every((p) => held.includes(p))).toBe(true);
      expect(held.length).toBeGreaterThan(permissionsOfRole(lower).length);
    }
  });

  it("gives env and secret permissions at ops, deployer and admin", () => {
    expect(permissionsOfRole("viewer")).not.toContain("convox:env:read");
    expect(permissionsOfRole("ops")).toContain("convox:env:read");
    expect(permissionsOfRole("ops")).not.toContain("convox:env:set");
    expect(permissionsOfRole("deployer")).toContain("convox:env:set");
    expect(permissionsOfRole("deployer")).not.toContain("convox:secret:read");
    expect(permissionsOfRole("admin")).toEqual(
      expect.arrayContaining(["convox:secret:read", "convox:secret:set"]),
    );
  });

  it("gives admin every permission but convox:rack:jwt, which needs allowRackJwt", () => {
    const all = [...CONVOX_PERMISSIONS, ...GATEWAY_PERMISSIONS].map((info) => info.permission);
    expect(permissionsOfRole("admin")).toEqual(all.filter((p) => p !== "convox:rack:jwt"));
    expect(permissionsOfRole("admin", { allowRackJwt: true })).toEqual(all);
    expect(permissionsOfRole("deployer", { allowRackJwt: true })).not.toContain("convox:rack:jwt");
  });

  it("gives everyone gateway:self:read and only people gateway:self:manage", () => {
    for (const role of ROLES) expect(permissionsOfRole(role)).toContain("gateway:self:read");
    expect(permissionsOfRole("viewer")).toContain("gateway:self:manage");
    expect(permissionsOfRole("cicd")).not.toContain("gateway:self:manage");
  });

  it("gives the gateway's admin permissions to admins only", () => {
    const adminOnly = [
      "gateway:user:read",
      "gateway:user:manage",
      "gateway:session:manage",
      "gateway:token:read",
      "gateway:token:manage",
      "gateway:audit:read",
      "gateway:audit:verify",
      "gateway:settings:read",
      "gateway:settings:manage",
      "gateway:incident:manage",
      "gateway:deploy-request:approve",
    ] as const;
    for (const permission of adminOnly) {
      expect(permissionsOfRole("admin")).toContain(permission);
      for (const role of ["viewer", "ops", "deployer", "cicd"] as const) {
        expect(permissionsOfRole(role, { deployApproved: true })).not.toContain(permission);
      }
    }
    expect(permissionsOfRole("deployer")).toContain("gateway:deploy-request:create");
    expect(permissionsOfRole("ops")).not.toContain("gateway:deploy-request:create");
    expect(permissionsOfRole("viewer")).toContain("gateway:deploy-request:read");
  });

  it("gives cicd reads and deploy requests, and its deploy permissions only inside an approved deploy", () => {
    expect(permissionsOfRole("cicd")).toEqual([
      "convox:app:list",
      "convox:app:read",
      "convox:log:read",
      "convox:build:list",
      "convox:build:read",
      "convox:release:list",
      "convox:release:read",
      "convox:process:list",
      "convox:process:read",
      "convox:resource:read",
      "convox:cert:list",
      "convox:rack:read",
      "convox:instance:list",
      "convox:registry:list",
      "convox:rack-resource:read",
      "gateway:self:read",
      "gateway:deploy-request:create",
      "gateway:deploy-request:read",
    ]);
    const approved = new Set(permissionsOfRole("cicd", { deployApproved: true }));
    const added = [...approved].filter((p) => !permissionsOfRole("cicd").includes(p));
    expect(added.sort()).toEqual([
      "convox:build:create",
      "convox:object:create",
      "convox:process:start",
      "convox:release:create",
      "convox:release:promote",
    ]);
    for (const never of [
      "convox:env:read",
      "convox:env:set",
      "convox:secret:read",
      "convox:secret:set",
    ] as const) {
      expect(approved.has(never)).toBe(false);
    }
  });

  it("throws on an unknown role", () => {
    // @ts-expect-error not a role
    expect(() => permissionsOfRole("root")).toThrow(/unknown role/);
  });
});
