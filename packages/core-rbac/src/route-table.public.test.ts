import { describe, expect, it } from "vitest";
import { createRouteMatcher, defineRoutes } from "./index.js";

describe("public gateway routes", () => {
  const table = defineRoutes([
    { method: "GET", path: "/api/v1/health", permission: null, mfa: "none", answer: "public" },
    { method: "GET", path: "/api/v1/users", permission: "gateway:user:read", mfa: "none" },
  ]);
  const match = createRouteMatcher(table);

  it("match with no permission and say they are public", () => {
    expect(match("GET", "/api/v1/health")).toMatchObject({ permission: null, route: { answer: "public" } });
    expect(match("GET", "/api/v1/users")?.permission).toBe("gateway:user:read");
  });

  it("must not carry a permission", () => {
    expect(() =>
      defineRoutes([
        { method: "GET", path: "/x", permission: "gateway:user:read", mfa: "none", answer: "public" },
      ]),
    ).toThrow(TypeError);
  });
});
