import { describe, expect, it } from "vitest";
import {
  authorize,
  CONVOX_ROUTES,
  type MfaLevel,
  matchConvoxRoute,
  type Permission,
  type Principal,
  type Role,
} from "./index.js";

// Written out by hand from CONVOX-API.md, never derived from the implementation.
// Columns: method, example path, permission, MFA, then allowed? for viewer, ops, deployer, admin,
// cicd without an approved deploy, cicd inside an approved deploy.
type Row = readonly [string, string, Permission, MfaLevel, boolean, boolean, boolean, boolean, boolean, boolean];

const MATRIX: readonly Row[] = [
  ["GET", "/apps", "convox:app:list", "none", true, true, true, true, true, true],
  ["GET", "/apps/web", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/diagnose", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/metrics", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/metrics-by-service", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/manifest/services/worker", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/cost", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/balancers", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/budget", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/budget/shutdown-state", "convox:app:read", "none", true, true, true, true, true, true],
  ["POST", "/apps", "convox:app:create", "step-up", false, false, false, true, false, false],
  ["PUT", "/apps/web", "convox:app:update", "step-up", false, false, true, true, false, false],
  ["POST", "/apps/web/cancel", "convox:app:update", "step-up", false, false, true, true, false, false],
  ["POST", "/apps/web/budget", "convox:app:budget", "step-up", false, false, false, true, false, false],
  ["DELETE", "/apps/web/budget", "convox:app:budget", "step-up", false, false, false, true, false, false],
  ["POST", "/apps/web/budget/reset", "convox:app:budget", "step-up", false, false, false, true, false, false],
  ["POST", "/apps/web/budget/simulate-shutdown", "convox:app:budget", "step-up", false, false, false, true, false, false],
  ["POST", "/apps/web/budget/dismiss-recovery", "convox:app:budget", "step-up", false, false, false, true, false, false],
  ["DELETE", "/apps/web", "convox:app:delete", "always", false, false, false, true, false, false],
  ["SOCKET", "/apps/web/logs", "convox:log:read", "none", true, true, true, true, true, true],
  ["SOCKET", "/apps/web/services/worker/logs", "convox:log:read", "none", true, true, true, true, true, true],
  ["SOCKET", "/apps/web/processes/web-7d9f-x2/logs", "convox:log:read", "none", true, true, true, true, true, true],
  ["SOCKET", "/apps/web/builds/BABCDEF/logs", "convox:log:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/builds", "convox:build:list", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/builds/B123", "convox:build:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/builds/B123.tgz", "convox:build:export", "step-up", false, false, true, true, false, false],
  ["POST", "/apps/web/builds", "convox:build:create", "step-up", false, false, true, true, false, true],
  ["POST", "/apps/web/builds/import", "convox:build:create", "step-up", false, false, true, true, false, true],
  ["POST", "/apps/web/builds/B123/image", "convox:build:create", "step-up", false, false, true, true, false, true],
  ["PUT", "/apps/web/builds/B123", "convox:build:update", "step-up", false, false, true, true, false, false],
  ["GET", "/apps/web/releases", "convox:release:list", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/releases/R123", "convox:release:read", "none", true, true, true, true, true, true],
  ["POST", "/apps/web/releases", "convox:release:create", "step-up", false, false, true, true, false, true],
  ["POST", "/apps/web/releases/R123/promote", "convox:release:promote", "step-up", false, false, true, true, false, true],
  ["GET", "/apps/web/configs", "convox:config:read", "none", false, true, true, true, false, false],
  ["GET", "/apps/web/configs/app.yml", "convox:config:read", "none", false, true, true, true, false, false],
  ["PUT", "/apps/web/configs/app.yml", "convox:config:set", "step-up", false, false, true, true, false, false],
  ["GET", "/apps/web/processes", "convox:process:list", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/processes/web-7d9f-x2", "convox:process:read", "none", true, true, true, true, true, true],
  ["POST", "/apps/web/services/web/processes", "convox:process:start", "step-up", false, true, true, true, false, true],
  ["DELETE", "/apps/web/processes/web-7d9f-x2", "convox:process:terminate", "step-up", false, true, true, true, false, false],
  ["SOCKET", "/apps/web/processes/web-7d9f-x2/exec", "convox:process:exec", "step-up", false, true, true, true, false, false],
  ["GET", "/apps/web/processes/web-7d9f-x2/files", "convox:process:exec", "step-up", false, true, true, true, false, false],
  ["POST", "/apps/web/processes/web-7d9f-x2/files", "convox:process:exec", "step-up", false, true, true, true, false, false],
  ["DELETE", "/apps/web/processes/web-7d9f-x2/files", "convox:process:exec", "step-up", false, true, true, true, false, false],
  ["GET", "/apps/web/services", "convox:app:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/services/web/metrics", "convox:app:read", "none", true, true, true, true, true, true],
  ["POST", "/apps/web/services/web/restart", "convox:app:restart", "step-up", false, true, true, true, false, false],
  ["PUT", "/apps/web/services/web", "convox:app:scale", "step-up", false, true, true, true, false, false],
  ["POST", "/apps/web/services/web/scale-override", "convox:app:scale", "step-up", false, true, true, true, false, false],
  ["POST", "/apps/web/services/web/triggers/enable", "convox:app:scale", "step-up", false, true, true, true, false, false],
  ["POST", "/apps/web/services/web/triggers/disable", "convox:app:scale", "step-up", false, true, true, true, false, false],
  ["POST", "/apps/web/services/web/triggers/threshold", "convox:app:scale", "step-up", false, true, true, true, false, false],
  ["GET", "/apps/web/objects", "convox:object:read", "none", false, false, true, true, false, false],
  ["HEAD", "/apps/web/objects/tmp/9f8e7d.tgz", "convox:object:read", "none", false, false, true, true, false, false],
  ["GET", "/apps/web/objects/tmp/9f8e7d.tgz", "convox:object:read", "none", false, false, true, true, false, false],
  ["POST", "/apps/web/objects/tmp/9f8e7d.tgz", "convox:object:create", "none", false, false, true, true, false, true],
  ["DELETE", "/apps/web/objects/tmp/9f8e7d.tgz", "convox:object:delete", "step-up", false, false, true, true, false, false],
  ["GET", "/apps/web/resources", "convox:resource:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/resources/database", "convox:resource:read", "none", true, true, true, true, true, true],
  ["GET", "/apps/web/resources/database/data", "convox:resource:data", "always", false, false, false, true, false, false],
  ["PUT", "/apps/web/resources/database/data", "convox:resource:data", "always", false, false, false, true, false, false],
  ["SOCKET", "/apps/web/resources/database/console", "convox:resource:data", "always", false, false, false, true, false, false],
  ["PUT", "/apps/web/ssl/web/443", "convox:cert:apply", "step-up", false, false, true, true, false, false],
  ["GET", "/certificates", "convox:cert:list", "none", true, true, true, true, true, true],
  ["POST", "/certificates", "convox:cert:create", "step-up", false, false, false, true, false, false],
  ["POST", "/certificates/generate", "convox:cert:create", "step-up", false, false, false, true, false, false],
  ["POST", "/certificates/cert-1a2b/renew", "convox:cert:renew", "step-up", false, false, false, true, false, false],
  ["DELETE", "/certificates/cert-1a2b", "convox:cert:delete", "always", false, false, false, true, false, false],
  ["GET", "/letsencrypt/config", "convox:rack:read", "none", true, true, true, true, true, true],
  ["PUT", "/letsencrypt/config", "convox:rack:update", "always", false, false, false, true, false, false],
  ["GET", "/instances", "convox:instance:list", "none", true, true, true, true, true, true],
  ["POST", "/instances/keyroll", "convox:instance:keyroll", "always", false, false, false, true, false, false],
  ["DELETE", "/instances/i-0abc123", "convox:instance:terminate", "always", false, false, false, true, false, false],
  ["SOCKET", "/instances/i-0abc123/shell", "convox:instance:shell", "always", false, false, false, true, false, false],
  ["GET", "/registries", "convox:registry:list", "none", true, true, true, true, true, true],
  ["POST", "/registries", "convox:registry:add", "step-up", false, false, false, true, false, false],
  ["DELETE", "/registries/quay.io", "convox:registry:remove", "step-up", false, false, false, true, false, false],
  ["GET", "/v2/", "convox:registry:proxy", "step-up", false, false, true, true, false, false],
  ["PATCH", "/v2/web/blobs/uploads/5f1c", "convox:registry:proxy", "step-up", false, false, true, true, false, false],
  ["GET", "/system", "convox:rack:read", "none", true, true, true, true, true, true],
  ["GET", "/system/capacity", "convox:rack:read", "none", true, true, true, true, true, true],
  ["GET", "/system/metrics", "convox:rack:read", "none", true, true, true, true, true, true],
  ["GET", "/system/processes", "convox:rack:read", "none", true, true, true, true, true, true],
  ["GET", "/system/releases", "convox:rack:read", "none", true, true, true, true, true, true],
  ["SOCKET", "/system/logs", "convox:rack-log:read", "none", false, true, true, true, false, false],
  ["PUT", "/system", "convox:rack:update", "always", false, false, false, true, false, false],
  ["GET", "/resources", "convox:rack-resource:read", "none", true, true, true, true, true, true],
  ["GET", "/resources/shared-db", "convox:rack-resource:read", "none", true, true, true, true, true, true],
  ["OPTIONS", "/resources", "convox:rack-resource:read", "none", true, true, true, true, true, true],
  ["POST", "/resources", "convox:rack-resource:manage", "always", false, false, false, true, false, false],
  ["PUT", "/resources/shared-db", "convox:rack-resource:manage", "always", false, false, false, true, false, false],
  ["DELETE", "/resources/shared-db", "convox:rack-resource:manage", "always", false, false, false, true, false, false],
  ["POST", "/resources/shared-db/links", "convox:rack-resource:manage", "always", false, false, false, true, false, false],
  ["DELETE", "/resources/shared-db/links/web", "convox:rack-resource:manage", "always", false, false, false, true, false, false],
  ["POST", "/events", "convox:event:send", "none", false, false, true, true, false, false],
  ["SOCKET", "/proxy/10.0.1.5/5432", "convox:rack:proxy", "always", false, false, false, true, false, false],
  ["GET", "/custom/http/proxy/internal/health", "convox:rack:proxy", "always", false, false, false, true, false, false],
  ["POST", "/system/jwt/token", "convox:rack:jwt", "always", false, false, false, false, false, false],
  ["PUT", "/system/jwt/rotate", "convox:rack:jwt", "always", false, false, false, false, false, false],
  ["POST", "/system/karpenter/cleanup", "convox:rack:update", "always", false, false, false, true, false, false],
];

const GATEWAY_ANSWERED = [
  ["GET", "/check", "check"],
  ["GET", "/auth", "auth"],
  ["GET", "/machines", "probe"],
  ["GET", "/racks", "probe"],
] as const;

function principalWith(role: Role): Principal {
  const kind = role === "cicd" ? "token" : "user";
  return { kind, id: `${role}-1`, name: `${role}@example.com`, grants: [{ role }] };
}

const COLUMNS = [
  ["viewer", "viewer", false],
  ["ops", "ops", false],
  ["deployer", "deployer", false],
  ["admin", "admin", false],
  ["cicd", "cicd", false],
  ["cicd (approved deploy)", "cicd", true],
] as const;

describe("permission matrix: every route of the rack API", () => {
  it.each(MATRIX)("%s %s → %s (MFA %s)", (method, path, permission, mfa, ...expected) => {
    const match = matchConvoxRoute(method, `${path}?`);
    expect(match, `${method} ${path} must match a route`).not.toBeNull();
    expect(match?.permission).toBe(permission);
    expect(match?.mfa).toBe(mfa);
    const outcomes = COLUMNS.map(([column, role, deployApproved]) => {
      const decision = authorize(principalWith(role), match?.permission ?? null, {
        ...(match?.app === undefined ? {} : { app: match.app }),
        deployApproved,
      });
      return [column, decision.allowed];
    });
    expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(COLUMNS.map(([c], i) => [c, expected[i]])));
  });

  it.each(GATEWAY_ANSWERED)("%s %s is answered by the gateway (%s), never authorized", (method, path, answer) => {
    const match = matchConvoxRoute(method, `${path}?`);
    expect(match?.route.answer).toBe(answer);
    expect(match?.permission).toBeNull();
    expect(match?.mfa).toBe("none");
    for (const [, role] of COLUMNS) {
      expect(authorize(principalWith(role), match?.permission ?? null).allowed).toBe(false);
    }
  });

  it("covers every row of CONVOX_ROUTES with at least one example", () => {
    const examples = [...MATRIX, ...GATEWAY_ANSWERED].map(([method, path]) => matchConvoxRoute(method, path));
    const covered = new Set(examples.map((match) => match?.route));
    const missing = CONVOX_ROUTES.filter((route) => !covered.has(route)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it("admins reach the jwt routes only with allowRackJwt", () => {
    const admin = principalWith("admin");
    for (const path of ["/system/jwt/token", "/system/jwt/rotate"]) {
      const match = matchConvoxRoute(path.endsWith("token") ? "POST" : "PUT", path);
      expect(authorize(admin, match?.permission ?? null, { allowRackJwt: true }).allowed).toBe(true);
      expect(authorize(principalWith("deployer"), match?.permission ?? null, { allowRackJwt: true }).allowed).toBe(
        false,
      );
    }
  });
});
