// Threat: a token reaches a rack route its role must not reach (or is refused one it needs), through the real proxy.
//
// The matrix below is the spec, written by hand from CONVOX-API.md's route table — it is deliberately not
// derived from @rack-gateway/rbac. Each row is one route with a concrete request as the convox CLI would send it,
// and the outcome for every built-in role. No deploy approval exists here, so cicd may only read.
import { createHash } from "node:crypto";
import { DEFAULT_FAKE_APPS, type FakeRack } from "@rack-gateway/convox-client/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { basicAuth, type Harness, ROLE_NAMES, startHarness } from "./harness.js";
import { openRecordedSocket, refusalOf } from "./socket-frames.js";

type RoleName = (typeof ROLE_NAMES)[number];
/** `OK`: allowed, so the fake rack's own answer comes back; 403: refused by the gateway before the rack. */
const OK = "OK";
type Outcome = typeof OK | 403;
type Expectation = Readonly<Record<RoleName, Outcome>>;

// Hand-written role columns (CONVOX-API.md "min role"); cicd holds only viewer-level reads without approval.
const ANY_READER: Expectation = { viewer: OK, ops: OK, deployer: OK, admin: OK, cicd: OK };
const OPS_UP: Expectation = { viewer: 403, ops: OK, deployer: OK, admin: OK, cicd: 403 };
const DEPLOYER_UP: Expectation = { viewer: 403, ops: 403, deployer: OK, admin: OK, cicd: 403 };
const ADMIN_ONLY: Expectation = { viewer: 403, ops: 403, deployer: 403, admin: OK, cicd: 403 };
const NOBODY: Expectation = { viewer: 403, ops: 403, deployer: 403, admin: 403, cicd: 403 };

// Ids the fake rack seeds for `myapp` (checked in beforeAll so a changed seed fails loudly, not silently).
const BUILD = "BAAAAAAAAAB";
const RELEASE = "RAAAAAAAAAC";
const PID = "web-aaaad";
const OBJECT_KEY = "tmp/3f9c1e0a.tgz";
const TARBALL = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

interface Row {
  readonly method: string;
  /** The path below the proxy prefix, with a real-looking id. SOCKET rows are websocket upgrades. */
  readonly path: string;
  readonly expect: Expectation;
  readonly form?: Record<string, string>;
  readonly body?: Uint8Array;
  readonly headers?: Record<string, string>;
  /** The fake rack's answer when it is not 2xx (e.g. 404 for a resource the fake does not hold). */
  readonly rackStatus?: number;
  /** Puts what the request needs into the fake rack after its reset. */
  readonly setup?: (rack: FakeRack) => void;
}

const withObject = (rack: FakeRack) => {
  rack.state.objects.set(`myapp/${OBJECT_KEY}`, {
    app: "myapp",
    key: OBJECT_KEY,
    size: TARBALL.length,
    sha256: createHash("sha256").update(TARBALL).digest("hex"),
    bytes: TARBALL,
  });
};

const row = (
  method: string,
  path: string,
  expect: Expectation,
  options: Omit<Row, "method" | "path" | "expect"> = {},
): Row => ({
  method,
  path,
  expect,
  ...options,
});

const MATRIX: readonly Row[] = [
  // Apps
  row("GET", "/apps", ANY_READER),
  row("GET", "/apps/myapp", ANY_READER),
  row("GET", "/apps/myapp/diagnose", ANY_READER),
  row("GET", "/apps/myapp/metrics", ANY_READER),
  row("GET", "/apps/myapp/metrics-by-service", ANY_READER),
  row("GET", "/apps/myapp/manifest/services/web", ANY_READER),
  row("GET", "/apps/myapp/cost", ANY_READER),
  row("GET", "/apps/myapp/balancers", ANY_READER),
  row("GET", "/apps/myapp/budget", ANY_READER),
  row("GET", "/apps/myapp/budget/shutdown-state", ANY_READER),
  row("POST", "/apps", ADMIN_ONLY, { form: { name: "billing", generation: "3" } }),
  row("PUT", "/apps/myapp", DEPLOYER_UP, { form: { "parameters[Internal]": "true" } }),
  row("POST", "/apps/myapp/cancel", DEPLOYER_UP),
  row("POST", "/apps/myapp/budget", ADMIN_ONLY, { form: { "monthly-cap-usd": "600" } }),
  row("DELETE", "/apps/myapp/budget", ADMIN_ONLY),
  row("POST", "/apps/myapp/budget/reset", ADMIN_ONLY),
  row("POST", "/apps/myapp/budget/simulate-shutdown", ADMIN_ONLY),
  row("POST", "/apps/myapp/budget/dismiss-recovery", ADMIN_ONLY),
  row("DELETE", "/apps/myapp", ADMIN_ONLY),
  // Log streams
  row("SOCKET", "/apps/myapp/logs", ANY_READER),
  row("SOCKET", "/apps/myapp/services/web/logs", ANY_READER),
  row("SOCKET", `/apps/myapp/processes/${PID}/logs`, ANY_READER),
  row("SOCKET", `/apps/myapp/builds/${BUILD}/logs`, ANY_READER),
  // Builds
  row("GET", "/apps/myapp/builds", ANY_READER),
  row("GET", `/apps/myapp/builds/${BUILD}`, ANY_READER),
  row("GET", `/apps/myapp/builds/${BUILD}.tgz`, DEPLOYER_UP),
  row("POST", "/apps/myapp/builds", DEPLOYER_UP, {
    form: { description: "ci", url: `object://myapp/${OBJECT_KEY}` },
    setup: withObject,
  }),
  row("POST", "/apps/myapp/builds/import", DEPLOYER_UP, { body: TARBALL }),
  row("POST", `/apps/myapp/builds/${BUILD}/image`, DEPLOYER_UP, { form: { image: "registry.test/myapp:1" } }),
  row("PUT", `/apps/myapp/builds/${BUILD}`, DEPLOYER_UP, { form: { release: RELEASE } }),
  // Releases
  row("GET", "/apps/myapp/releases", ANY_READER),
  row("GET", `/apps/myapp/releases/${RELEASE}`, ANY_READER),
  row("POST", "/apps/myapp/releases", DEPLOYER_UP, { form: { build: BUILD, description: "rebuild" } }),
  row("POST", `/apps/myapp/releases/${RELEASE}/promote`, DEPLOYER_UP, { form: { force: "false" } }),
  // Configs
  row("GET", "/apps/myapp/configs", OPS_UP),
  row("GET", "/apps/myapp/configs/app-config", OPS_UP),
  row("PUT", "/apps/myapp/configs/app-config", DEPLOYER_UP, { form: { value: "a: 1" } }),
  // Processes
  row("GET", "/apps/myapp/processes", ANY_READER),
  row("GET", `/apps/myapp/processes/${PID}`, ANY_READER),
  row("POST", "/apps/myapp/services/web/processes", OPS_UP, { headers: { Command: "sleep 3600" } }),
  row("DELETE", `/apps/myapp/processes/${PID}`, OPS_UP),
  row("SOCKET", `/apps/myapp/processes/${PID}/exec`, OPS_UP, {
    headers: { Command: "echo hi", Tty: "false" },
  }),
  row("GET", `/apps/myapp/processes/${PID}/files`, OPS_UP, { headers: { Path: "/app/log.txt" } }),
  row("POST", `/apps/myapp/processes/${PID}/files`, OPS_UP, { body: TARBALL, headers: { Path: "/tmp" } }),
  row("DELETE", `/apps/myapp/processes/${PID}/files`, OPS_UP, { headers: { Path: "/tmp/x" } }),
  // Services
  row("GET", "/apps/myapp/services", ANY_READER),
  row("GET", "/apps/myapp/services/web/metrics", ANY_READER),
  row("POST", "/apps/myapp/services/web/restart", OPS_UP),
  row("PUT", "/apps/myapp/services/web", OPS_UP, { form: { count: "3" } }),
  row("POST", "/apps/myapp/services/web/scale-override", OPS_UP, { form: { count: "1" } }),
  row("POST", "/apps/myapp/services/web/triggers/enable", OPS_UP),
  row("POST", "/apps/myapp/services/web/triggers/disable", OPS_UP),
  row("POST", "/apps/myapp/services/web/triggers/threshold", OPS_UP, { form: { cpu: "70" } }),
  // Objects (the tarball of `convox build`)
  row("GET", "/apps/myapp/objects", DEPLOYER_UP),
  row("HEAD", `/apps/myapp/objects/${OBJECT_KEY}`, DEPLOYER_UP, { setup: withObject }),
  row("GET", `/apps/myapp/objects/${OBJECT_KEY}`, DEPLOYER_UP, { setup: withObject }),
  row("POST", `/apps/myapp/objects/${OBJECT_KEY}`, DEPLOYER_UP, {
    body: TARBALL,
    headers: { "Content-Type": "application/octet-stream" },
  }),
  row("DELETE", `/apps/myapp/objects/${OBJECT_KEY}`, DEPLOYER_UP, { setup: withObject }),
  // App resources
  row("GET", "/apps/myapp/resources", ANY_READER),
  row("GET", "/apps/myapp/resources/database", ANY_READER),
  row("GET", "/apps/myapp/resources/database/data", ADMIN_ONLY),
  row("PUT", "/apps/myapp/resources/database/data", ADMIN_ONLY, {
    body: new TextEncoder().encode("-- dump"),
  }),
  row("SOCKET", "/apps/myapp/resources/database/console", ADMIN_ONLY),
  row("PUT", "/apps/myapp/ssl/web/443", DEPLOYER_UP, { form: { certificate: "cert-0001" } }),
  // Certificates and Let's Encrypt
  row("GET", "/certificates", ANY_READER),
  row("POST", "/certificates", ADMIN_ONLY, { form: { pub: "-----BEGIN CERTIFICATE-----", key: "k" } }),
  row("POST", "/certificates/generate", ADMIN_ONLY, { form: { domains: "app.example.test" } }),
  row("POST", "/certificates/cert-0001/renew", ADMIN_ONLY),
  row("DELETE", "/certificates/cert-0001", ADMIN_ONLY),
  row("GET", "/letsencrypt/config", ANY_READER),
  row("PUT", "/letsencrypt/config", ADMIN_ONLY, { form: { "solvers[0][dns]": "route53" } }),
  // Instances
  row("GET", "/instances", ANY_READER),
  row("POST", "/instances/keyroll", ADMIN_ONLY),
  row("DELETE", "/instances/i-0fake00000000001", ADMIN_ONLY),
  row("SOCKET", "/instances/i-0fake00000000001/shell", ADMIN_ONLY),
  // Registries and the registry proxy
  row("GET", "/registries", ANY_READER),
  row("POST", "/registries", ADMIN_ONLY, {
    form: { server: "registry.example.test", username: "u", password: "p" },
  }),
  row("DELETE", "/registries/registry.example.test", ADMIN_ONLY),
  row("GET", "/v2/myapp/manifests/latest", DEPLOYER_UP),
  row("PUT", "/v2/myapp/manifests/latest", DEPLOYER_UP, { body: new TextEncoder().encode("{}") }),
  // System
  row("GET", "/system", ANY_READER),
  row("GET", "/system/capacity", ANY_READER),
  row("GET", "/system/metrics", ANY_READER),
  row("GET", "/system/processes", ANY_READER),
  row("GET", "/system/releases", ANY_READER),
  row("SOCKET", "/system/logs", OPS_UP),
  row("PUT", "/system", ADMIN_ONLY, { form: { count: "4" } }),
  row("POST", "/system/karpenter/cleanup", ADMIN_ONLY),
  // Gateway-bypassing rack credentials: nobody, unless the admin setting is on (tested below).
  row("POST", "/system/jwt/token", NOBODY, { form: { role: "rw", duration: "1h" } }),
  row("PUT", "/system/jwt/rotate", NOBODY),
  // Rack resources
  row("GET", "/resources", ANY_READER),
  row("GET", "/resources/shared-db", ANY_READER),
  row("OPTIONS", "/resources", ANY_READER),
  row("POST", "/resources", ADMIN_ONLY, { form: { kind: "postgres", name: "analytics" } }),
  row("PUT", "/resources/shared-db", ADMIN_ONLY, { form: { "parameters[size]": "20" } }),
  row("DELETE", "/resources/shared-db", ADMIN_ONLY),
  row("POST", "/resources/shared-db/links", ADMIN_ONLY, { form: { app: "myapp" } }),
  row("DELETE", "/resources/shared-db/links/myapp", ADMIN_ONLY),
  // Events and proxies into the rack's network
  row("POST", "/events", DEPLOYER_UP, { form: { action: "deploy", "data[app]": "myapp" } }),
  row("SOCKET", "/proxy/10.0.1.23/5432", ADMIN_ONLY),
  row("GET", "/custom/http/proxy/internal/status", ADMIN_ONLY),
  row("POST", "/custom/http/proxy/internal/hook", ADMIN_ONLY, { form: { ping: "1" } }),
];

/** Sends `row` as `token` and checks the outcome against the rack's record of what reached it. */
async function checkRow(harness: Harness, row: Row, token: string, outcome: Outcome): Promise<void> {
  const { rack } = harness;
  rack.reset();
  row.setup?.(rack);
  const rackCredentials = basicAuth(harness.rackPassword);

  if (row.method === "SOCKET") {
    if (outcome === OK) {
      const { transcript: whole } = await openRecordedSocket(harness, token, `${row.path}?`, row.headers);
      const transcript = await whole;
      expect(transcript.endedWithEof, `frames: ${JSON.stringify(transcript.frames)}`).toBe(true);
      expect(transcript.output).not.toContain("ERROR:");
      const [reached, ...more] = rack.requests;
      expect(more).toEqual([]);
      expect(reached).toMatchObject({ websocket: true, method: "GET" });
      expect(reached?.path.split("?")[0]).toBe(row.path);
      expect(reached?.headers.authorization).toBe(rackCredentials);
      expect(reached?.headers.origin).toBe(rack.url);
      return;
    }
    const refusal = await refusalOf(openRecordedSocket(harness, token, `${row.path}?`, row.headers));
    expect(refusal?.status).toBe(403);
    expectForbiddenBody(JSON.parse(refusal?.body ?? "null"));
    expect(rack.requests).toEqual([]);
    return;
  }

  const response = await harness.rackRequest(token, row.method, `${row.path}?`, {
    ...(row.form ? { form: row.form } : {}),
    ...(row.body ? { body: row.body } : {}),
    ...(row.headers ? { headers: row.headers } : {}),
  });
  if (outcome === OK) {
    if (row.rackStatus === undefined) {
      expect(response.status, response.text).toBeGreaterThanOrEqual(200);
      expect(response.status, response.text).toBeLessThan(300);
    } else {
      expect(response.status, response.text).toBe(row.rackStatus);
    }
    const [reached, ...more] = rack.requests;
    expect(more).toEqual([]);
    expect(reached).toMatchObject({ websocket: false, method: row.method });
    expect(reached?.path.split("?")[0]).toBe(row.path);
    expect(reached?.headers.authorization).toBe(rackCredentials);
    const sentBytes = row.form ? new URLSearchParams(row.form).toString().length : (row.body?.length ?? 0);
    expect(reached?.bodyBytes).toBe(sentBytes);
    return;
  }
  expect(response.status, response.text).toBe(403);
  // A HEAD answer carries no body; every other denial carries the stable error shape.
  if (row.method === "HEAD") expect(response.text).toBe("");
  else expectForbiddenBody(response.json());
  expect(rack.requests).toEqual([]);
}

function expectForbiddenBody(body: unknown): void {
  expect(body).toEqual({ error: expect.stringMatching(/^forbidden: .+/), code: "FORBIDDEN" });
}

const CASES = MATRIX.flatMap((entry) =>
  ROLE_NAMES.map((role) => ({ row: entry, role, outcome: entry.expect[role] })),
);

describe("permission matrix: every rack route × every role, through the gateway to the fake rack", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      rack: { apps: [...DEFAULT_FAKE_APPS, { name: "web", services: [{ name: "web", count: 1 }] }] },
    });
    harness.rack.reset();
    const state = harness.rack.state;
    expect(state.builds.map((build) => build.id)).toContain(BUILD);
    expect(state.releases.map((release) => release.id)).toContain(RELEASE);
    expect(state.processes.map((process) => process.id)).toContain(PID);
  });
  afterAll(() => harness.close());

  it("covers each route of the table once", () => {
    const keys = MATRIX.map((entry) => `${entry.method} ${entry.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(MATRIX.length).toBeGreaterThanOrEqual(100);
  });

  it.each(CASES)("$row.method $row.path as $role", async ({ row: entry, role, outcome }) => {
    await checkRow(harness, entry, harness.tokens[role], outcome);
  });

  describe("answered by the gateway itself", () => {
    beforeEach(() => harness.rack.reset());

    it("GET /check answers ok without credentials and never asks the rack", async () => {
      const response = await harness.rackRequest(null, "GET", "/check?");
      expect(response.status).toBe(200);
      expect(response.text).toBe("ok");
      expect(harness.rack.requests).toEqual([]);
    });

    it.each(ROLE_NAMES)("GET /auth accepts a valid %s token", async (role) => {
      const response = await harness.rackRequest(harness.tokens[role], "GET", "/auth?");
      expect(response.status).toBe(200);
      expect(response.json()).toEqual({ id: `${role}-token` });
      expect(harness.rack.requests).toEqual([]);
    });

    it("GET /auth refuses an unknown token with the rack's 401", async () => {
      const response = await harness.rackRequest("rgw_not-a-real-token", "GET", "/auth?");
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Basic realm="convox"');
      expect(response.json()).toMatchObject({ error: "invalid authentication" });
    });

    it.each(ROLE_NAMES.flatMap((role) => ["/machines", "/racks"].map((path) => ({ role, path }))))(
      "GET $path (the CLI's websocket probe) is 404 for $role",
      async ({ role, path }) => {
        const response = await harness.rackRequest(harness.tokens[role], "GET", `${path}?`);
        expect(response.status).toBe(404);
        expect(harness.rack.requests).toEqual([]);
      },
    );

    it.each(
      ROLE_NAMES.flatMap((role) =>
        [
          ["GET", "/apps/myapp/secrets"],
          ["DELETE", "/system"],
          ["GET", "/apps/myapp/../../system/jwt/token"],
        ].map(([method, path]) => ({ role, method: method ?? "", path: path ?? "" })),
      ),
    )(
      "$method $path is not in the table: 404 for $role, nothing reaches the rack",
      async ({ role, method, path }) => {
        const response = await harness.rackRequest(harness.tokens[role], method, path);
        expect(response.status).toBe(404);
        expect(response.json()).toMatchObject({ code: "UNKNOWN_ROUTE" });
        expect(harness.rack.requests).toEqual([]);
      },
    );
  });

  describe("app-scoped token: deployer on app web, viewer everywhere", () => {
    let scoped: string;
    beforeAll(async () => {
      scoped = await harness.createToken([{ role: "deployer", apps: ["web"] }, { role: "viewer" }]);
    });

    const webIds = (rack: FakeRack) => {
      const release = rack.state.releases.find((candidate) => candidate.app === "web");
      const process = rack.state.processes.find((candidate) => candidate.app === "web");
      if (!release || !process) throw new Error("the fake rack did not seed app web");
      return { release: release.id, process: process.id };
    };
    const deployish = (app: string, ids: { release: string; process: string }): Row[] => [
      row("POST", `/apps/${app}/objects/${OBJECT_KEY}`, ANY_READER, { body: TARBALL }),
      row("POST", `/apps/${app}/releases`, ANY_READER, { form: { description: "scoped" } }),
      row("POST", `/apps/${app}/releases/${ids.release}/promote`, ANY_READER, { form: { force: "false" } }),
      row("PUT", `/apps/${app}/services/web`, ANY_READER, { form: { count: "2" } }),
      row("POST", `/apps/${app}/services/web/restart`, ANY_READER),
      row("PUT", `/apps/${app}`, ANY_READER, { form: { "parameters[Internal]": "true" } }),
      row("SOCKET", `/apps/${app}/processes/${ids.process}/exec`, ANY_READER, {
        headers: { Command: "exit 0" },
      }),
    ];

    it("may deploy, scale, restart and exec on app web", async () => {
      harness.rack.reset();
      for (const entry of deployish("web", webIds(harness.rack))) await checkRow(harness, entry, scoped, OK);
    });

    it("is refused the same calls on app myapp", async () => {
      for (const entry of deployish("myapp", { release: RELEASE, process: PID })) {
        await checkRow(harness, entry, scoped, 403);
      }
    });

    it("still reads app myapp through its viewer grant", async () => {
      for (const path of ["/apps/myapp", "/apps/myapp/releases", `/apps/myapp/builds/${BUILD}`]) {
        await checkRow(harness, row("GET", path, ANY_READER), scoped, OK);
      }
      await checkRow(harness, row("SOCKET", "/apps/myapp/logs", ANY_READER), scoped, OK);
    });
  });
});

describe("permission matrix with RGW_SETTING_ALLOW_RACK_JWT=true", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { RGW_SETTING_ALLOW_RACK_JWT: "true" } });
  });
  afterAll(() => harness.close());

  const ADMIN_WITH_SETTING: Expectation = { viewer: 403, ops: 403, deployer: 403, admin: OK, cicd: 403 };
  const JWT_ROWS = [
    row("POST", "/system/jwt/token", ADMIN_WITH_SETTING, { form: { role: "rw", duration: "1h" } }),
    row("PUT", "/system/jwt/rotate", ADMIN_WITH_SETTING),
  ];
  it.each(JWT_ROWS.flatMap((entry) => ROLE_NAMES.map((role) => ({ row: entry, role }))))(
    "$row.method $row.path as $role",
    async ({ row: entry, role }) => {
      await checkRow(harness, entry, harness.tokens[role], entry.expect[role]);
    },
  );

  it("hands the admin the rack's token answer", async () => {
    harness.rack.reset();
    const response = await harness.rackRequest(harness.tokens.admin, "POST", "/system/jwt/token?", {
      form: { role: "rw", duration: "1h" },
    });
    expect(response.json<{ token: string }>().token.split(".")).toHaveLength(3);
  });
});
