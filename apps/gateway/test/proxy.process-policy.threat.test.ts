// Threat: an ops user (even app-scoped) turns `convox run` / `exec` into root on a node (Image, Volumes, Privileged headers), overrides protected or secret env with the Environment header, or reads the rack password out of a build pod (RACK_URL, BUILD_AUTH) by exec'ing into it or copying its files.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";
import { eventsOf } from "./proxy-helpers.js";
import { openRecordedSocket, refusalOf } from "./socket-frames.js";

const RUN = "/apps/myapp/services/web/processes?";

describe("process policy: what a run or exec may do beyond its route's permission", () => {
  let harness: Harness;
  let scopedOps: string;
  beforeAll(async () => {
    harness = await startHarness({ env: { PROTECTED_ENV_VARS: "DATABASE_URL" } });
    scopedOps = await harness.createToken([{ role: "ops", apps: ["myapp"] }], { name: "myapp-ops" });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.rack.reset());

  const reachedRack = (method: string, pathPrefix: string) =>
    harness.rack.requests.filter(
      (request) => request.method === method && request.path.startsWith(pathPrefix),
    );
  const run = (token: string, headers: Record<string, string>, path = RUN) =>
    harness.rackRequest(token, "POST", path, { headers: { Command: "sleep 10", ...headers } });

  /** The refusal is a 403 with the given code, audited as a denial naming `mentions`, and nothing reached the rack. */
  const expectRefused = async (response: Awaited<ReturnType<typeof run>>, code: string, mentions: RegExp) => {
    expect(response.status, response.text).toBe(403);
    expect(response.json()).toMatchObject({ code });
    expect(response.json<{ error: string }>().error).toMatch(mentions);
    const events = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(events).toEqual([
      expect.objectContaining({ action: "rack.request", decision: "deny", status: 403 }),
    ]);
    expect(events[0]?.reason).toMatch(mentions);
  };

  describe("F2: node breakout through convox run's option headers", () => {
    it.each([
      ["Image", { Image: "attacker/img" }],
      ["Volumes", { Volumes: "/var/run/=/x,/proc/=/y" }],
      ["Privileged", { Privileged: "true" }],
      ["Privileged", { Privileged: "1" }],
      ["Privileged", { Privileged: "TRUE" }],
      ["Image", { Image: "attacker/img", Volumes: "/=/host", Privileged: "true" }],
    ])(
      "refuses ops a run with the %s header (%j): 403, audited, never forwarded",
      async (header, headers) => {
        for (const token of [scopedOps, harness.tokens.ops, harness.tokens.deployer]) {
          const response = await run(token, headers);
          await expectRefused(response, "FORBIDDEN", new RegExp(`${header}.*convox:instance:shell`));
        }
        expect(reachedRack("POST", "/apps/myapp/services/")).toEqual([]);
      },
    );

    it("refuses a Privileged header sent twice with false first (the rack's reading is not ours to guess)", async () => {
      // fetch joins repeated headers with ", ", as Node does on the way in.
      const doubled = await run(scopedOps, { Privileged: "false, true" });
      await expectRefused(doubled, "FORBIDDEN", /Privileged/);
    });

    it("still runs an ordinary command for ops, and Privileged: false or empty option headers change nothing", async () => {
      for (const headers of [{}, { Privileged: "false" }, { Image: "", Volumes: "" }]) {
        const response = await run(scopedOps, headers);
        expect(response.status, JSON.stringify(headers)).toBe(200);
      }
      expect(reachedRack("POST", "/apps/myapp/services/web/processes")).toHaveLength(3);
    });

    it("lets an admin (who may open a node shell anyway) run with them, forwarded untouched", async () => {
      const headers = { Image: "attacker/img", Volumes: "/var/run/=/x,/proc/=/y", Privileged: "true" };
      const response = await run(harness.tokens.admin, headers);
      expect(response.status).toBe(200);
      const [forwarded] = reachedRack("POST", "/apps/myapp/services/web/processes");
      expect(forwarded?.headers).toMatchObject({
        image: "attacker/img",
        volumes: "/var/run/=/x,/proc/=/y",
        privileged: "true",
      });
    });
  });

  describe("F2: the Environment header overrides the process env", () => {
    it("needs convox:env:set: refused for ops", async () => {
      const response = await run(scopedOps, { Environment: "LOG_LEVEL=debug" });
      await expectRefused(response, "FORBIDDEN", /Environment.*convox:env:set/);
      expect(reachedRack("POST", "/apps/myapp/services/")).toEqual([]);
    });

    it("lets a deployer set plain keys, forwarded untouched", async () => {
      const response = await run(harness.tokens.deployer, { Environment: "LOG_LEVEL=debug,FOO=bar" });
      expect(response.status).toBe(200);
      expect(reachedRack("POST", "/apps/myapp/services/web/processes")[0]?.headers.environment).toBe(
        "LOG_LEVEL=debug,FOO=bar",
      );
    });

    it.each(["SECRET_TOKEN=x", "FOO=1,STRIPE_API_KEY=x", "FOO=1& SECRET_TOKEN =x", "FOO=1&SECRET%5FTOKEN=x"])(
      "needs convox:secret:set for a secret key (%s): refused for a deployer",
      async (environment) => {
        const response = await run(harness.tokens.deployer, { Environment: environment });
        await expectRefused(response, "FORBIDDEN", /convox:secret:set/);
        expect(reachedRack("POST", "/apps/myapp/services/")).toEqual([]);
      },
    );

    it("lets an admin set a secret key", async () => {
      const response = await run(harness.tokens.admin, { Environment: "SECRET_TOKEN=x" });
      expect(response.status).toBe(200);
    });

    it.each([
      "DATABASE_URL=postgres://attacker",
      "FOO=1,DATABASE_URL=postgres://attacker",
      "FOO=1, DATABASE_URL =postgres://attacker",
      "FOO=1&DATABASE_URL=postgres://attacker",
      "FOO=1&DATABASE%5FURL=postgres://attacker",
      "FOO=1;DATABASE_URL=postgres://attacker",
      "DATABASE_URL\t=postgres://attacker",
    ])("refuses a protected key (%s) to everyone, admins included", async (environment) => {
      for (const token of [harness.tokens.deployer, harness.tokens.admin]) {
        const response = await run(token, { Environment: environment });
        await expectRefused(response, "PROTECTED_ENV_VAR", /DATABASE_URL/);
      }
      expect(reachedRack("POST", "/apps/myapp/services/")).toEqual([]);
    });
  });

  describe("F5: build pods hold the rack password", () => {
    const socketRefusal = (token: string, pid: string) =>
      refusalOf(
        openRecordedSocket(harness, token, `/apps/myapp/processes/${pid}/exec?`, {
          Command: "cat /proc/1/environ",
        }),
      );

    it.each(["build", "build-7f9c2-abcde", "BUILD", "%3Dbuild", "build%2Ctype!%3Dresource", "%20build"])(
      "refuses ops an exec into %s (a build pod, or a selector that picks one)",
      async (pid) => {
        for (const token of [scopedOps, harness.tokens.deployer]) {
          const refusal = await socketRefusal(token, pid);
          expect(refusal?.status, pid).toBe(403);
          expect(refusal?.body).toMatch(/convox:instance:shell/);
        }
        expect(harness.rack.requests.filter((request) => request.websocket)).toEqual([]);
        const denials = (await harness.auditRecords())
          .map((record) => record.event)
          .filter((event) => event.method === "SOCKET" && event.decision === "deny" && event.status === 403);
        expect(denials.at(-1)?.reason).toMatch(/build.*convox:instance:shell/);
      },
    );

    it("still lets ops exec into an ordinary process", async () => {
      const refusal = await socketRefusal(scopedOps, "web-aaaad");
      expect(refusal).toBeNull();
    });

    it("lets an admin exec into a build pod", async () => {
      const refusal = await socketRefusal(harness.tokens.admin, "build");
      // The fake rack has no such pod; what matters is that the gateway let it through.
      expect(refusal?.status).not.toBe(403);
      expect(harness.rack.requests.filter((request) => request.websocket)).toHaveLength(1);
    });

    it.each([
      ["GET", "/apps/myapp/processes/build-7f9c2-abcde/files?file=/proc/1/environ"],
      ["POST", "/apps/myapp/processes/build-7f9c2-abcde/files?file=/tmp/x"],
      ["DELETE", "/apps/myapp/processes/build/files?files=/tmp/x"],
    ])("refuses ops %s %s", async (method, path) => {
      const response = await harness.rackRequest(scopedOps, method, path, {
        headers: { "Content-Type": "application/octet-stream" },
        ...(method === "POST" ? { body: "x" } : {}),
      });
      await expectRefused(response, "FORBIDDEN", /build.*convox:instance:shell/);
      expect(harness.rack.requests).toEqual([]);
    });

    it("still lets ops copy files out of an ordinary process", async () => {
      const response = await harness.rackRequest(
        scopedOps,
        "GET",
        "/apps/myapp/processes/web-aaaad/files?file=/tmp/x",
      );
      expect(response.status).toBe(200);
    });

    it("refuses ops a run on the build service; an admin's run reaches the rack", async () => {
      const response = await run(scopedOps, {}, "/apps/myapp/services/build/processes?");
      await expectRefused(response, "FORBIDDEN", /build.*convox:instance:shell/);
      expect(harness.rack.requests).toEqual([]);
      await run(harness.tokens.admin, {}, "/apps/myapp/services/build/processes?");
      expect(reachedRack("POST", "/apps/myapp/services/build/processes")).toHaveLength(1);
    });
  });
});
