// Walks every row of GATEWAY_ROUTES (the table itself, so a newly declared route is walked too) as every kind of
// caller — anonymous, a web session of each person role (cookie + CSRF) and a cicd API token — with real ids, and
// checks the answer against a hand-written expectation per permission, not one derived from rbac.
import type { Permission, RouteDefinition } from "@rack-gateway/rbac";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_ROUTES } from "../src/api/gateway-routes.js";
import { hashApiToken } from "../src/auth/api-token.js";
import type { UserRecord } from "../src/stores/types.js";
import type { Harness, HttpResult } from "./harness.js";
import { type Credentials, callApi, createUser, signIn, uniqueEmail } from "./people.js";
import { type SignInHarness, startSignInHarness } from "./signin-helpers.js";

const PERSON_ROLES = ["viewer", "ops", "deployer", "admin"] as const;
type Caller = (typeof PERSON_ROLES)[number] | "cicd";
const CALLERS: readonly Caller[] = [...PERSON_ROLES, "cicd"];

/** Who may call a route needing each permission. Hand-written: a change to the policy must show up here. */
const ALLOWED: Partial<Record<Permission, readonly Caller[]>> = {
  "gateway:self:read": ["viewer", "ops", "deployer", "admin", "cicd"],
  "gateway:self:manage": ["viewer", "ops", "deployer", "admin"],
  "gateway:user:read": ["admin"],
  "gateway:user:manage": ["admin"],
  "gateway:session:manage": ["admin"],
  "gateway:token:read": ["admin"],
  "gateway:token:manage": ["admin"],
  "gateway:audit:read": ["admin"],
  "gateway:audit:verify": ["admin"],
  "gateway:settings:read": ["admin"],
  "gateway:settings:manage": ["admin"],
  "gateway:incident:manage": ["admin"],
};

/** Bodies for the rows that need one to reach their handler's real work (the rest get none). */
const BODIES: Record<string, () => unknown> = {
  "POST /api/v1/rbac/explain": () => ({ method: "GET", path: "/apps" }),
  "POST /api/v1/users": () => ({ email: uniqueEmail("walk-new"), grants: [{ role: "viewer" }] }),
  "PUT /api/v1/users/{user}/roles": () => ({ grants: [{ role: "ops" }] }),
  "POST /api/v1/users/{user}/lock": () => ({ reason: "route walk" }),
  "POST /api/v1/incident/lock-non-admins": () => ({ reason: "route walk" }),
  "POST /api/v1/tokens": () => ({ name: "route walk", grants: [{ role: "viewer" }] }),
  "PUT /api/v1/settings/{key}": () => ({ value: 15 }),
};

const rowName = (route: RouteDefinition) => `${route.method} ${route.path}`;

describe("every declared gateway route, for every role", () => {
  let signInHarness: SignInHarness;
  let harness: Harness;
  const roleUsers = new Map<Caller, UserRecord>();

  beforeAll(async () => {
    // With an identity provider (a fake OIDC issuer on loopback), so the sign-in rows reach their real work.
    signInHarness = await startSignInHarness();
    harness = signInHarness.harness;
    for (const role of PERSON_ROLES) roleUsers.set(role, await createUser(harness, [{ role }]));
  });
  afterAll(() => signInHarness.close());

  /** A fresh, valid credential for `caller` (earlier walked calls may have locked it or revoked everything). */
  async function credentialsOf(caller: Caller): Promise<{ credentials: Credentials; ownSessionId: string }> {
    if (caller === "cicd")
      return { credentials: { kind: "bearer", token: harness.tokens.cicd }, ownSessionId: "" };
    const user = roleUsers.get(caller);
    if (!user) throw new Error(`no user for ${caller}`);
    await harness.gateway.deps.stores.users.unlock(user.id, new Date());
    const person = await signIn(harness, user, "web");
    // A second session of the caller's own, for /api/v1/me/sessions/{session}.
    const spare = await signIn(harness, user, "cli");
    return { credentials: person.credentials, ownSessionId: spare.session.id };
  }

  /** Real ids for every path parameter: a throwaway user with a session, a throwaway token, a real setting. */
  async function concretePath(route: RouteDefinition, ownSessionId: string): Promise<string> {
    const target = await createUser(harness, [{ role: "viewer" }], { email: uniqueEmail("walk-target") });
    const targetSession = await signIn(harness, target, "cli");
    const token = await harness.createToken([{ role: "viewer" }], { name: "walk target" });
    const tokenRecord = await harness.gateway.deps.stores.tokens.findByHash(hashApiToken(token));
    const values: Record<string, string> = {
      user: target.id,
      session: route.path.startsWith("/api/v1/me/")
        ? ownSessionId || targetSession.session.id
        : targetSession.session.id,
      token: tokenRecord?.id ?? "",
      key: "session_timeout_minutes",
    };
    return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = values[name];
      if (!value) throw new Error(`${rowName(route)}: give the walk a real value for {${name}}`);
      return encodeURIComponent(value);
    });
  }

  async function call(route: RouteDefinition, credentials: Credentials, path: string): Promise<HttpResult> {
    const body = BODIES[rowName(route)]?.();
    return callApi(harness, credentials, route.method, path, body === undefined ? {} : { body });
  }

  const describeAnswer = (result: HttpResult) => `${result.status} ${result.text.slice(0, 300)}`;
  const isMissingHandler = (result: HttpResult) =>
    result.status === 404 &&
    result.text.includes('"code":"NOT_FOUND"') &&
    result.text.includes('"error":"not found"');

  it("has a hand-written expectation for every permission the table uses", () => {
    const used = new Set(GATEWAY_ROUTES.flatMap((route) => (route.permission ? [route.permission] : [])));
    expect([...used].filter((permission) => ALLOWED[permission] === undefined)).toEqual([]);
    // Every public row and only those have no permission.
    for (const route of GATEWAY_ROUTES)
      expect(route.permission === null, rowName(route)).toBe(route.answer === "public");
  });

  it.each(GATEWAY_ROUTES.map((route) => [rowName(route), route] as const))("%s", async (name, route) => {
    const probe = await credentialsOf("viewer");
    const anonymous = await call(route, { kind: "anonymous" }, await concretePath(route, probe.ownSessionId));
    if (route.answer === "public") {
      expect([401, 403], `anonymous ${name}: ${describeAnswer(anonymous)}`).not.toContain(anonymous.status);
      expect(isMissingHandler(anonymous), `${name} has no handler`).toBe(false);
    } else {
      expect(anonymous.status, `anonymous ${name}: ${describeAnswer(anonymous)}`).toBe(401);
      expect(anonymous.headers.get("content-type")).toContain("application/json");
      expect(anonymous.json()).toMatchObject({ code: "INVALID_AUTHENTICATION" });
      if (route.method === "GET") {
        // A browser asking for a page is sent to sign in, and back here afterwards.
        const path = await concretePath(route, probe.ownSessionId);
        const page = await callApi(harness, { kind: "anonymous" }, "GET", path, {
          headers: { Accept: "text/html" },
        });
        expect(page.status, `anonymous page ${name}`).toBe(303);
        expect(page.headers.get("location")).toBe(`/auth/login?return_to=${encodeURIComponent(path)}`);
      }
    }

    for (const caller of CALLERS) {
      const { credentials, ownSessionId } = await credentialsOf(caller);
      const result = await call(route, credentials, await concretePath(route, ownSessionId));
      const allowed = route.permission === null || (ALLOWED[route.permission] ?? []).includes(caller);
      const where = `${caller} ${name}: ${describeAnswer(result)}`;
      if (allowed) {
        expect([401, 403], where).not.toContain(result.status);
        expect(isMissingHandler(result), `${where} — the route is declared but has no handler`).toBe(false);
        expect(result.status, where).toBeLessThan(500);
      } else {
        expect(result.status, where).toBe(403);
        expect(result.json(), where).toMatchObject({ code: "FORBIDDEN" });
      }
    }
  });

  it("refuses a path outside the table even for an admin", async () => {
    const { credentials } = await credentialsOf("admin");
    for (const [method, path] of [
      ["GET", "/api/v1/users/x/unknown"],
      ["PATCH", "/api/v1/users"],
      ["GET", "/api/v1/admin"],
    ] as const) {
      const result = await callApi(harness, credentials, method, path);
      expect(result.status, `${method} ${path}`).toBe(404);
    }
  });
});
