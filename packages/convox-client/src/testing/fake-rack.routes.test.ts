import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, openRawSocket, rawRequest } from "../../test/raw-http.js";
import { type FakeRack, startFakeRack } from "./index.js";

// Every route of the rack API table in CONVOX-API.md: a gateway permission matrix must observe 2xx for
// each allowed call. `{pid}`, `{release}` and `{build}` are filled from the seeded state.
const HTTP_ROUTES = `
GET /apps|GET /apps/myapp|GET /apps/myapp/diagnose|GET /apps/myapp/metrics|GET /apps/myapp/metrics-by-service
GET /apps/myapp/manifest/services/web|GET /apps/myapp/cost|GET /apps/myapp/balancers|GET /apps/myapp/budget
GET /apps/myapp/budget/shutdown-state|PUT /apps/myapp|POST /apps/myapp/cancel|POST /apps/myapp/budget
DELETE /apps/myapp/budget|POST /apps/myapp/budget/reset|POST /apps/myapp/budget/simulate-shutdown
POST /apps/myapp/budget/dismiss-recovery|GET /apps/myapp/builds|GET /apps/myapp/builds/{build}
GET /apps/myapp/builds/{build}.tgz|POST /apps/myapp/builds/import|POST /apps/myapp/builds/{build}/image
PUT /apps/myapp/builds/{build}|GET /apps/myapp/releases|GET /apps/myapp/releases/{release}|POST /apps/myapp/releases
POST /apps/myapp/releases/{release}/promote|GET /apps/myapp/configs|GET /apps/myapp/configs/main
PUT /apps/myapp/configs/main|GET /apps/myapp/processes|GET /apps/myapp/processes/{pid}
POST /apps/myapp/services/web/processes|GET /apps/myapp/processes/{pid}/files|POST /apps/myapp/processes/{pid}/files
DELETE /apps/myapp/processes/{pid}/files|GET /apps/myapp/services|GET /apps/myapp/services/web/metrics
POST /apps/myapp/services/web/restart|PUT /apps/myapp/services/web|POST /apps/myapp/services/web/scale-override
POST /apps/myapp/services/web/triggers/enable|POST /apps/myapp/services/web/triggers/disable
POST /apps/myapp/services/web/triggers/threshold|GET /apps/myapp/objects|POST /apps/myapp/objects/tmp/x.tgz
HEAD /apps/myapp/objects/tmp/x.tgz|GET /apps/myapp/objects/tmp/x.tgz|DELETE /apps/myapp/objects/tmp/x.tgz
GET /apps/myapp/resources|GET /apps/myapp/resources/database|GET /apps/myapp/resources/database/data
PUT /apps/myapp/resources/database/data|PUT /apps/myapp/ssl/web/443|GET /certificates|POST /certificates
POST /certificates/generate|POST /certificates/cert-1/renew|DELETE /certificates/cert-1|GET /letsencrypt/config
PUT /letsencrypt/config|GET /instances|POST /instances/keyroll|DELETE /instances/i-1|GET /registries
POST /registries|DELETE /registries/registry.example.test|GET /v2/|POST /v2/app/blobs/uploads/|GET /system
GET /system/capacity|GET /system/metrics|GET /system/processes|GET /system/releases|PUT /system
GET /resources|GET /resources/shared-db|OPTIONS /resources|POST /resources|PUT /resources/shared-db
DELETE /resources/shared-db|POST /resources/shared-db/links|DELETE /resources/shared-db/links/myapp|POST /events
GET /custom/http/proxy/some/path|POST /system/jwt/token|PUT /system/jwt/rotate|POST /system/karpenter/cleanup
DELETE /apps/myapp/processes/{pid}|GET /auth|POST /apps|DELETE /apps/myapp`
  .split(/[|\n]/)
  .map((line) => line.trim())
  .filter((line) => line !== "");

const SOCKET_ROUTES = [
  "/apps/myapp/logs",
  "/apps/myapp/services/web/logs",
  "/apps/myapp/processes/{pid}/logs",
  "/apps/myapp/builds/{build}/logs",
  "/apps/myapp/processes/{pid}/exec",
  "/apps/myapp/resources/database/console",
  "/instances/i-1/shell",
  "/system/logs",
  "/proxy/10.0.0.1/5432",
];

let rack: FakeRack;
const auth = { Authorization: basic("pw") };

beforeAll(async () => {
  rack = await startFakeRack({ password: "pw" });
});
afterAll(() => rack.close());

function fill(path: string): string {
  const state = rack.state;
  return path
    .replace("{pid}", state.processes.find((p) => p.app === "myapp")?.id ?? "")
    .replace("{release}", state.releases[0]?.id ?? "")
    .replace("{build}", state.builds[0]?.id ?? "");
}

describe("every rack route answers", () => {
  it.each(HTTP_ROUTES)("%s → 2xx", async (route) => {
    const [method = "", path = ""] = route.split(" ");
    const body =
      method !== "POST" ? "" : path === "/apps" ? "name=fresh" : path.includes("/objects/") ? "bytes" : "";
    const headers = body.startsWith("name=")
      ? { ...auth, "Content-Type": "application/x-www-form-urlencoded" }
      : auth;
    const answer = await rawRequest(rack.url, method, `${fill(path)}?`, { headers, body });
    expect(answer.status, answer.body).toBeGreaterThanOrEqual(200);
    expect(answer.status, answer.body).toBeLessThan(300);
  });

  it("mints a fake JWT on POST /system/jwt/token", async () => {
    const answer = await rawRequest(rack.url, "POST", "/system/jwt/token?", { headers: auth });
    expect(JSON.parse(answer.body).token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it.each(SOCKET_ROUTES)("SOCKET %s → output and EOF", async (path) => {
    rack.reset();
    const socket = await openRawSocket(rack.url, `${fill(path)}?`, { ...auth, Command: "echo hi" });
    const frames = await socket.untilEof;
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames.at(-1)).toEqual({ binary: new Uint8Array(0) });
    expect(frames.some((frame) => "text" in frame && frame.text.startsWith("ERROR:"))).toBe(false);
  });
});
