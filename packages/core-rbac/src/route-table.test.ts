import { describe, expect, it } from "vitest";
import { createRouteMatcher, defineRoutes, type RouteDefinition } from "./index.js";

const GATEWAY_API = defineRoutes([
  { method: "GET", path: "/api/v1/me", permission: "gateway:self:read", mfa: "none" },
  { method: "GET", path: "/api/v1/users/{id}", permission: "gateway:user:read", mfa: "none" },
  { method: "GET", path: "/api/v1/users/me", permission: "gateway:self:read", mfa: "none" },
  { method: "DELETE", path: "/api/v1/users/{id}", permission: "gateway:user:manage", mfa: "always" },
  { method: "GET", path: "/api/v1/files/{name}.json", permission: "gateway:audit:read", mfa: "none" },
  { method: "GET", path: "/api/v1/files/{name}", permission: "gateway:settings:read", mfa: "none" },
  { method: "GET", path: "/api/v1/audit/{rest*}", permission: "gateway:audit:read", mfa: "step-up" },
  { method: "ANY", path: "/api/v1/audit/export", permission: "gateway:audit:verify", mfa: "none" },
  { method: "POST", path: "/api/v1/audit/export", permission: "gateway:audit:read", mfa: "none" },
  {
    method: "POST",
    path: "/api/v1/apps/{app}/deploy-requests",
    permission: "gateway:deploy-request:create",
    mfa: "none",
  },
]);
const matchGatewayRoute = createRouteMatcher(GATEWAY_API);

describe("createRouteMatcher", () => {
  it("matches a gateway table with the same machinery as the Convox one", () => {
    expect(matchGatewayRoute("GET", "/api/v1/me")?.permission).toBe("gateway:self:read");
    const match = matchGatewayRoute("POST", "/api/v1/apps/web/deploy-requests");
    expect(match).toMatchObject({ app: "web", socket: false, params: { app: "web" }, mfa: "none" });
  });

  it("prefers a literal segment over a parameter, wherever the rows stand", () => {
    expect(matchGatewayRoute("GET", "/api/v1/users/me")?.permission).toBe("gateway:self:read");
    expect(matchGatewayRoute("GET", "/api/v1/users/u_123")?.params).toEqual({ id: "u_123" });
  });

  it("prefers {name}.ext over {name}, and {name} needs more than the suffix", () => {
    expect(matchGatewayRoute("GET", "/api/v1/files/report.json")?.params).toEqual({ name: "report" });
    expect(matchGatewayRoute("GET", "/api/v1/files/report.jsonx")?.permission).toBe("gateway:settings:read");
    expect(matchGatewayRoute("GET", "/api/v1/files/.json")?.permission).toBe("gateway:settings:read");
  });

  it("lets {name*} swallow one or more segments, never zero", () => {
    expect(matchGatewayRoute("GET", "/api/v1/audit/2026/01/events")?.params).toEqual({
      rest: "2026/01/events",
    });
    expect(matchGatewayRoute("GET", "/api/v1/audit")).toBeNull();
    expect(matchGatewayRoute("GET", "/api/v1/audit/")).toBeNull();
  });

  it("prefers a literal path over {name*}, and an exact method over ANY", () => {
    expect(matchGatewayRoute("POST", "/api/v1/audit/export")?.permission).toBe("gateway:audit:read");
    expect(matchGatewayRoute("PUT", "/api/v1/audit/export")?.permission).toBe("gateway:audit:verify");
    expect(matchGatewayRoute("GET", "/api/v1/audit/export")?.permission).toBe("gateway:audit:verify");
    expect(matchGatewayRoute("SOCKET", "/api/v1/audit/export")).toBeNull();
  });

  it("lets a method the table never names reach only ANY rows, the same way every time", () => {
    // Candidate rows are cached per method and segment count; unnamed methods share one cached view.
    for (let round = 0; round < 2; round++) {
      expect(matchGatewayRoute("PROPFIND", "/api/v1/audit/export")?.permission).toBe("gateway:audit:verify");
      expect(matchGatewayRoute("MKCOL", "/api/v1/audit/export")?.permission).toBe("gateway:audit:verify");
      expect(matchGatewayRoute("PROPFIND", "/api/v1/me")).toBeNull();
      expect(matchGatewayRoute("get", "/api/v1/users/u_1")?.params).toEqual({ id: "u_1" });
    }
  });

  it("gives params a null prototype, frozen", () => {
    const match = matchGatewayRoute("GET", "/api/v1/users/__proto__");
    expect(match?.params.id).toBe("__proto__");
    expect(Object.getPrototypeOf(match?.params)).toBeNull();
    expect(Object.isFrozen(match?.params)).toBe(true);
  });

  it("throws a TypeError when called with something other than strings", () => {
    // @ts-expect-error misuse
    expect(() => matchGatewayRoute(undefined, "/api/v1/me")).toThrow(TypeError);
  });
});

describe("defineRoutes rejects bad tables at definition time", () => {
  const ok: RouteDefinition = { method: "GET", path: "/x", permission: "gateway:self:read", mfa: "none" };

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["lower-case method", { method: "get" }, /method must be one of/],
    ["unknown method", { method: "BREW" }, /method must be one of/],
    ["unknown MFA level", { mfa: "sometimes" }, /mfa must be/],
    ["unknown permission", { permission: "gateway:self:everything" }, /unknown permission/],
    ["null permission without answer", { permission: null }, /must say who answers it/],
    ["answer with a permission", { answer: "check" }, /must have permission null/],
    ["no leading slash", { path: "x" }, /must start with "\/"/],
    ["empty segment", { path: "/a//b" }, /bad segment ""/],
    ["trailing slash", { path: "/a/" }, /bad segment ""/],
    ["dot segment", { path: "/a/../b" }, /bad segment "\.\."/],
    ["unclosed brace", { path: "/a/{id" }, /bad segment/],
    ["upper-case parameter", { path: "/a/{Id}" }, /bad segment/],
    ["parameter with prefix", { path: "/a/v{id}" }, /bad segment/],
    ["repeated parameter", { path: "/a/{id}/b/{id}" }, /appears twice/],
    ["wildcard not last", { path: "/a/{rest*}/b" }, /must be the whole last segment/],
    ["wildcard with suffix", { path: "/a/{rest*}.tgz" }, /must be the whole last segment/],
  ])("%s", (_label, change, message) => {
    expect(() => defineRoutes([{ ...ok, ...change } as RouteDefinition])).toThrow(message);
    expect(() => defineRoutes([{ ...ok, ...change } as RouteDefinition])).toThrow(TypeError);
  });

  it("rejects duplicate method and path, even with different parameter names", () => {
    expect(() => defineRoutes([ok, { ...ok, permission: "gateway:user:read" }])).toThrow(
      /duplicates route #0/,
    );
    expect(() =>
      defineRoutes([
        { ...ok, path: "/u/{id}" },
        { ...ok, path: "/u/{name}" },
      ]),
    ).toThrow(/route #1 \(GET \/u\/\{name\}\): duplicates route #0/);
    expect(() => defineRoutes([ok, { ...ok, method: "POST" }])).not.toThrow();
  });

  it("rejects something that is not an array", () => {
    // @ts-expect-error misuse
    expect(() => defineRoutes({ routes: [] })).toThrow(TypeError);
  });

  it("validates tables passed straight to createRouteMatcher too", () => {
    expect(() => createRouteMatcher([{ ...ok, path: "/a/{b" }])).toThrow(TypeError);
  });

  it("returns a frozen copy the caller cannot change afterwards", () => {
    const rows = [{ ...ok }];
    const table = defineRoutes(rows);
    rows[0] = { ...ok, permission: "gateway:user:manage" };
    expect(table[0]?.permission).toBe("gateway:self:read");
    expect(Object.isFrozen(table)).toBe(true);
  });
});
