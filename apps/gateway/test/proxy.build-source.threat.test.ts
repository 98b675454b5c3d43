// Threat: a deployer scoped to one app builds it from another app's uploaded source (`url=object://other/…`), then reads that source back through their own app.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { basicAuth, type Harness, startHarness } from "./harness.js";
import { eventsOf, rawRequest } from "./proxy-helpers.js";

describe("a build's source object belongs to the app being built", () => {
  let harness: Harness;
  let scopedDeployer: string;
  beforeAll(async () => {
    harness = await startHarness();
    scopedDeployer = await harness.createToken([{ role: "deployer", apps: ["myapp"] }], {
      name: "myapp-deployer",
    });
  });
  afterAll(() => harness.close());
  beforeEach(() => {
    harness.rack.reset();
    for (const [app, key] of [
      ["myapp", "tmp/mine.tgz"],
      ["other", "tmp/theirs.tgz"],
    ] as const) {
      harness.rack.state.objects.set(`${app}/${key}`, { app, key, size: 1, sha256: "0".repeat(64) });
    }
  });
  const postedBuilds = () =>
    harness.rack.requests.filter(
      (request) => request.method === "POST" && request.path.startsWith("/apps/myapp/builds"),
    );
  const build = (form: Record<string, string>, token = scopedDeployer) =>
    harness.rackRequest(token, "POST", "/apps/myapp/builds?", { form: { description: "x", ...form } });

  it("builds from the app's own object", async () => {
    const response = await build({ url: "object://myapp/tmp/mine.tgz" });
    expect(response.status).toBe(200);
    expect(postedBuilds()).toHaveLength(1);
  });

  it.each([
    ["another app's object", "object://other/tmp/theirs.tgz"],
    ["an upper-case scheme (Go lower-cases it)", "OBJECT://other/tmp/theirs.tgz"],
    ["user info before the other app", "object://myapp@other/tmp/theirs.tgz"],
    ["an app prefix of the other name", "object://myapp.other/tmp/theirs.tgz"],
    ["no app at all", "object:///tmp/theirs.tgz"],
    ["a dot segment climbing out of the app", "object://myapp/../other/tmp/theirs.tgz"],
    ["an escaped dot segment", "object://myapp/%2e%2e/other/tmp/theirs.tgz"],
    ["a backslash", "object://myapp/..\\other/tmp/theirs.tgz"],
  ])("refuses %s with 403, audited, and posts nothing", async (_what, url) => {
    for (const token of [scopedDeployer, harness.tokens.admin]) {
      const response = await build({ url }, token);
      expect(response.status, url).toBe(403);
      expect(response.json()).toMatchObject({ code: "FORBIDDEN" });
      const events = await eventsOf(harness, response.headers.get("x-request-id"));
      expect(events).toContainEqual(
        expect.objectContaining({ action: "rack.request", decision: "deny", status: 403 }),
      );
    }
    expect(postedBuilds()).toEqual([]);
  });

  it("refuses every url when one of several names another app", async () => {
    const response = await harness.rackRequest(scopedDeployer, "POST", "/apps/myapp/builds?", {
      body: "url=object%3A%2F%2Fmyapp%2Ftmp%2Fmine.tgz&url=object%3A%2F%2Fother%2Ftmp%2Ftheirs.tgz",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(403);
    expect(postedBuilds()).toEqual([]);
  });

  it("refuses a url in the query string (400) or a multipart body (415), which the gateway would not inspect", async () => {
    const query = await harness.rackRequest(
      scopedDeployer,
      "POST",
      `/apps/myapp/builds?url=${encodeURIComponent("object://other/tmp/theirs.tgz")}`,
      { form: { description: "x" } },
    );
    expect(query.status).toBe(400);
    const multipart = await harness.rackRequest(scopedDeployer, "POST", "/apps/myapp/builds", {
      body: '--b\r\nContent-Disposition: form-data; name="url"\r\n\r\nobject://other/tmp/theirs.tgz\r\n--b--\r\n',
      headers: { "Content-Type": "multipart/form-data; boundary=b" },
    });
    expect(multipart.status).toBe(415);
    expect(postedBuilds()).toEqual([]);
  });

  const reachedRack = (method: string, prefix: string) =>
    harness.rack.requests.filter((request) => request.method === method && request.path.startsWith(prefix));

  it.each(["true", "1", "TRUE", "t", "yes"])(
    "refuses external=%s (the rack answers it with its own password), for admins too",
    async (external) => {
      for (const token of [scopedDeployer, harness.tokens.admin]) {
        const response = await build({ url: "object://myapp/tmp/mine.tgz", external }, token);
        expect(response.status).toBe(403);
        expect(response.json<{ error: string }>().error).toContain("external builds");
      }
      expect(postedBuilds()).toEqual([]);
    },
  );

  it("accepts external=false", async () => {
    const response = await build({ url: "object://myapp/tmp/mine.tgz", external: "false" });
    expect(response.status).toBe(200);
    expect(postedBuilds()).toHaveLength(1);
  });

  it("refuses a build update whose logs object belongs to another app, and forwards one that stays in the app", async () => {
    const update = (logs: string) =>
      harness.rackRequest(scopedDeployer, "PUT", "/apps/myapp/builds/BAAAAAAAAAB?", {
        form: { logs, status: "complete" },
      });
    const foreign = await update("object://other/tmp/theirs.tgz");
    expect(foreign.status).toBe(403);
    expect(reachedRack("PUT", "/apps/myapp/builds/")).toEqual([]);
    await update("object://myapp/tmp/mine.tgz");
    expect(reachedRack("PUT", "/apps/myapp/builds/")).toHaveLength(1);
  });

  it("lets only a principal with build:create in every app import a build archive (it can name any app's objects)", async () => {
    const archive = { body: "not really a tarball", headers: { "Content-Type": "application/octet-stream" } };
    const scoped = await harness.rackRequest(scopedDeployer, "POST", "/apps/myapp/builds/import?", archive);
    expect(scoped.status).toBe(403);
    expect(reachedRack("POST", "/apps/myapp/builds/import")).toEqual([]);
    const unscoped = await harness.rackRequest(
      harness.tokens.deployer,
      "POST",
      "/apps/myapp/builds/import?",
      archive,
    );
    expect(unscoped.status).toBe(200);
    expect(reachedRack("POST", "/apps/myapp/builds/import")).toHaveLength(1);
  });

  it("records a read's form parameters but forwards no body", async () => {
    const response = await rawRequest(harness.gatewayUrl, {
      method: "GET",
      path: "/api/v1/rack-proxy/apps/myapp/builds?",
      headers: {
        Authorization: basicAuth(harness.tokens.viewer),
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": "7",
      },
      body: "limit=5",
    });
    expect(response.status, response.text).toBe(200);
    const [forwarded] = reachedRack("GET", "/apps/myapp/builds");
    expect(forwarded?.bodyBytes).toBe(0);
    expect(forwarded?.headers["content-length"]).toBeUndefined();
    const events = await eventsOf(harness, String(response.headers["x-request-id"]));
    expect(events).toContainEqual(expect.objectContaining({ params: { "form.limit": "5" } }));
  });
});
