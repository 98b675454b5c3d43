// Threat: a crafted request path makes the gateway authorize one route while the rack acts on another.
import { describe, expect, it } from "vitest";
import { MAX_PATH_LENGTH, matchConvoxRoute, normalizeRequestPath } from "./index.js";

function canonical(method: string, rawPath: string): string | null {
  const match = matchConvoxRoute(method, rawPath);
  return match === null ? null : `${match.route.method} ${match.route.path} ${match.path}`;
}

describe("unknown routes are denied", () => {
  it.each([
    ["GET", "/"],
    ["GET", "/nope"],
    ["GET", "/apps/web/unknown"],
    ["GET", "/apps/web/builds/B1/logs"],
    ["POST", "/system"],
    ["DELETE", "/apps"],
    ["GET", "/system/jwt/token"],
    ["GET", "/v3/anything"],
    ["GET", "/api/v1/rack-proxy/apps"],
    ["PATCH", "/apps/web"],
  ])("%s %s → null", (method, path) => {
    expect(matchConvoxRoute(method, path)).toBeNull();
  });
});

describe("dot segments resolve before matching, and never climb above the root", () => {
  it.each([
    ["GET", "/apps/web/../../system", "GET /system /system"],
    ["GET", "/apps/../../system", null],
    ["GET", "/..", null],
    ["GET", "/apps/%2e%2e/%2e%2e/system", null],
    ["GET", "/apps/web/%2E%2e/api", "GET /apps/{app} /apps/api"],
    ["GET", "/apps/web/.%2e/api", "GET /apps/{app} /apps/api"],
    ["GET", "/apps/web/./builds", "GET /apps/{app}/builds /apps/web/builds"],
    ["DELETE", "/apps/web/processes/p1/files/../../../../api", "DELETE /apps/{app} /apps/api"],
    ["GET", "/apps/web/builds/%2e%2e/%2e%2e/%2e%2e/system", "GET /system /system"],
  ])("%s %s → %s", (method, path, expected) => {
    expect(canonical(method, path)).toBe(expected);
  });

  it("authorizes the app the rack will see, not the one in the raw path", () => {
    const match = matchConvoxRoute("POST", "/apps/web/%2e%2e/api/services/web/restart?");
    expect(match?.app).toBe("api");
    expect(match?.path).toBe("/apps/api/services/web/restart");
  });

  it("resolves dot segments inside an object key and keeps the key under its app", () => {
    const match = matchConvoxRoute("POST", "/apps/web/objects/tmp/x/../abc.tgz");
    expect(match?.params.key).toBe("tmp/abc.tgz");
    expect(match?.path).toBe("/apps/web/objects/tmp/abc.tgz");
    expect(canonical("POST", "/apps/web/objects/../../api/objects/k")).toBe(
      "POST /apps/{app}/objects/{key*} /apps/api/objects/k",
    );
  });
});

describe("encoded separators and control characters never reach a segment", () => {
  it.each([
    ["%2f inside the app name", "GET", "/apps/web%2f..%2fapi"],
    ["%2F inside the app name", "GET", "/apps/web%2Fapi/builds"],
    ["%5c (backslash)", "GET", "/apps/web%5c..%5capi"],
    ["raw backslash", "GET", "/apps/web\\..\\api"],
    ["%00 (NUL)", "GET", "/apps/web%00/builds"],
    ["raw NUL", "GET", "/apps/web\u0000"],
    ["%0a (newline)", "GET", "/apps/web%0a"],
    ["%0d%0a (header injection)", "GET", "/apps/web%0d%0aX-Admin:%20yes"],
    ["%7f (DEL)", "GET", "/apps/web%7f"],
    ["%c2%85 (C1 NEL)", "GET", "/apps/web%c2%85"],
    ["%2f in an object key", "POST", "/apps/web/objects/tmp%2f..%2f..%2fapi"],
    ["raw space", "GET", "/apps/we b"],
    ["raw non-ASCII", "GET", "/apps/wéb"],
  ])("%s → null", (_label, method, path) => {
    expect(matchConvoxRoute(method, path)).toBeNull();
  });
});

describe("malformed escapes and empty segments are rejected", () => {
  it.each([
    ["bad escape", "/apps/web%zz"],
    ["truncated escape", "/apps/web%2"],
    ["lone percent", "/apps/%"],
    ["overlong UTF-8 slash", "/apps/web%c0%af..%c0%afapi"],
    ["invalid UTF-8", "/apps/%ff"],
    ["double escape stays literal, then fails the route", "/apps/web%252f..%252fapi/builds/extra/x"],
    ["double slash inside", "/apps//web"],
    ["double slash at the start", "//apps"],
    ["double trailing slash", "/apps//"],
    ["no leading slash", "apps"],
    ["absolute-form target", "http://rack.example.com/apps"],
    ["asterisk-form target", "*"],
    ["empty target", ""],
  ])("%s (%s) → null", (_label, path) => {
    expect(matchConvoxRoute("GET", path)).toBeNull();
  });

  it("decodes exactly once: %252e%252e is the literal segment %2e%2e, not ..", () => {
    const match = matchConvoxRoute("GET", "/apps/%252e%252e");
    expect(match?.app).toBe("%2e%2e");
    expect(match?.path).toBe("/apps/%252e%252e");
  });
});

describe("query strings, fragments and trailing slashes", () => {
  it.each([
    ["the CLI's trailing ?", "GET", "/apps?", "GET /apps /apps"],
    ["a query", "GET", "/apps/web/releases?limit=1", "GET /apps/{app}/releases /apps/web/releases"],
    ["a query holding a path", "GET", "/apps?x=/../system", "GET /apps /apps"],
    ["a fragment", "GET", "/apps#/system", "GET /apps /apps"],
    ["? before #", "GET", "/apps/web?#x", "GET /apps/{app} /apps/web"],
    ["an encoded ? stays in the segment", "GET", "/apps/web%3Fx", "GET /apps/{app} /apps/web%3Fx"],
    ["one trailing slash is kept", "GET", "/apps/web/", "GET /apps/{app} /apps/web/"],
    ["docker's version check", "GET", "/v2/?", "ANY /v2 /v2/"],
  ])("%s: %s %s", (_label, method, path, expected) => {
    expect(canonical(method, path)).toBe(expected);
  });
});

describe("methods", () => {
  it("compares methods case-insensitively and reports the table's method", () => {
    expect(matchConvoxRoute("get", "/apps")?.route.method).toBe("GET");
    expect(matchConvoxRoute("socket", "/apps/web/logs")?.socket).toBe(true);
  });

  it.each([
    ["POST", "/apps/web/logs"],
    ["GET", "/apps/web/logs"],
    ["GET", "/apps/web/processes/p1/exec"],
    ["GET", "/system/logs"],
    ["GET", "/instances/i-1/shell"],
    ["GET", "/proxy/10.0.0.1/5432"],
    ["SOCKET", "/apps/web/builds"],
    ["SOCKET", "/apps"],
    ["SOCKET", "/v2/web/manifests/latest"],
    ["SOCKET", "/custom/http/proxy/x"],
    ["HEAD", "/apps"],
    ["HEAD", "/apps/web/builds/B1.tgz"],
    ["OPTIONS", "/apps"],
    ["ANY", "/v2/x"],
    ["G ET", "/apps"],
    ["", "/apps"],
  ])("%s %s → null (a websocket and a plain request never stand in for each other)", (method, path) => {
    expect(matchConvoxRoute(method, path)).toBeNull();
  });

  it("HEAD reaches only the route that declares it", () => {
    expect(matchConvoxRoute("HEAD", "/apps/web/objects/tmp/a.tgz")?.permission).toBe("convox:object:read");
  });
});

describe("size limits", () => {
  it("rejects a path longer than MAX_PATH_LENGTH, but not the query after it", () => {
    const key = "k".repeat(MAX_PATH_LENGTH - "/apps/web/objects/".length);
    expect(matchConvoxRoute("GET", `/apps/web/objects/${key}`)?.params.key).toBe(key);
    expect(matchConvoxRoute("GET", `/apps/web/objects/${key}x`)).toBeNull();
    expect(matchConvoxRoute("GET", `/apps/web/objects/${key}?${"q".repeat(10_000)}`)).not.toBeNull();
  });

  it("rejects more than 64 segments, even ones that dot segments would remove", () => {
    const under = `/apps/web/objects/${Array.from({ length: 61 }, () => "a").join("/")}`;
    expect(matchConvoxRoute("GET", under)).not.toBeNull();
    expect(matchConvoxRoute("GET", `${under}/a`)).toBeNull();
    expect(matchConvoxRoute("GET", `/apps${"/.".repeat(64)}`)).toBeNull();
  });
});

describe("the forwarded path is re-encoded from the decoded segments", () => {
  it.each([
    ["/apps/web/objects/tmp/a%20b.tgz", "/apps/web/objects/tmp/a%20b.tgz", "tmp/a b.tgz"],
    ["/apps/web/objects/tmp/%61bc.tgz", "/apps/web/objects/tmp/abc.tgz", "tmp/abc.tgz"],
    ["/apps/web/objects/tmp/a@b:c.tgz", "/apps/web/objects/tmp/a%40b%3Ac.tgz", "tmp/a@b:c.tgz"],
    ["/apps/web/objects/%E2%82%AC.tgz", "/apps/web/objects/%E2%82%AC.tgz", "€.tgz"],
  ])("%s → %s", (raw, path, key) => {
    const match = matchConvoxRoute("GET", raw);
    expect(match?.path).toBe(path);
    expect(match?.params.key).toBe(key);
    // What is forwarded normalises to itself: the rack sees exactly what was authorized.
    expect(normalizeRequestPath(path)?.path).toBe(path);
  });
});
