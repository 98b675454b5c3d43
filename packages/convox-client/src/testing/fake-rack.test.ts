import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { basic, rawRequest } from "../../test/raw-http.js";
import { type FakeRack, startFakeRack } from "./index.js";

const auth = { Authorization: basic("pw") };
const form = { ...auth, "Content-Type": "application/x-www-form-urlencoded" };
let rack: FakeRack;
const at = new Date("2026-01-02T03:04:05.678Z");

beforeAll(async () => {
  rack = await startFakeRack({
    password: "pw",
    now: () => at,
    buildDurationMs: 10,
    apps: [{ name: "shop", env: { A: "1" }, services: [{ name: "web", count: 1, port: 8080 }] }],
  });
});
afterAll(() => rack.close());
beforeEach(() => rack.reset());

const get = async (path: string) => {
  const answer = await rawRequest(rack.url, "GET", path, { headers: auth });
  return { ...answer, json: answer.body === "" ? undefined : JSON.parse(answer.body) };
};

describe("fake rack HTTP", () => {
  it("answers like a real rack around the edges", async () => {
    expect((await rawRequest(rack.url, "GET", "/machines", { headers: auth })).status).toBe(404);
    expect((await rawRequest(rack.url, "GET", "/racks", { headers: auth })).status).toBe(404);
    expect(await rawRequest(rack.url, "GET", "/nope?", { headers: auth })).toMatchObject({ status: 404 });
    expect((await rawRequest(rack.url, "PATCH", "/apps", { headers: auth })).status).toBe(405);
    expect(await rawRequest(rack.url, "GET", "/auth?", { headers: auth })).toMatchObject({
      status: 200,
      body: "ok\n",
    });
  });

  it("serves convox v3 JSON shapes, indented like Go", async () => {
    const apps = await get("/apps?");
    expect(apps.headers["content-type"]).toBe("application/json");
    expect(apps.body.startsWith('[\n  {\n    "generation": "3"')).toBe(true);
    const [app] = apps.json;
    expect(Object.keys(app).sort()).toEqual([
      "generation",
      "locked",
      "name",
      "parameters",
      "release",
      "router",
      "status",
    ]);
    const release = (await get(`/apps/shop/releases/${app.release}?`)).json;
    expect(release).toEqual({
      id: app.release,
      app: "shop",
      build: expect.stringMatching(/^B[A-Z]{10}$/),
      env: "A=1",
      manifest: expect.any(String),
      description: "initial release",
      created: "2026-01-02T03:04:05Z",
    });
    const [process] = (await get("/apps/shop/processes?")).json;
    expect(Object.keys(process).sort()).toEqual(
      [
        "app",
        "command",
        "cpu",
        "host",
        "id",
        "image",
        "instance",
        "memory",
        "name",
        "ports",
        "release",
        "started",
        "status",
      ].sort(),
    );
    expect(process).toMatchObject({ name: "web", ports: ["8080"], release: app.release, status: "running" });
    expect((await get("/system")).json).toMatchObject({
      name: "fake-rack",
      "rack-domain": expect.any(String),
    });
  });

  it("creates, updates and deletes apps from form options", async () => {
    const created = await rawRequest(rack.url, "POST", "/apps?", { headers: form, body: "name=blog" });
    expect(JSON.parse(created.body)).toMatchObject({ name: "blog", status: "running" });
    expect((await rawRequest(rack.url, "POST", "/apps", { headers: form, body: "name=blog" })).status).toBe(
      409,
    );
    expect(
      (await rawRequest(rack.url, "POST", "/apps", { headers: form, body: "name=Bad_Name" })).status,
    ).toBe(400);
    await rawRequest(rack.url, "PUT", "/apps/blog?", {
      headers: form,
      body: "lock=true&parameters%5BInternal%5D=Yes",
    });
    expect((await get("/apps/blog")).json).toMatchObject({ locked: true, parameters: { Internal: "Yes" } });
    expect((await rawRequest(rack.url, "DELETE", "/apps/blog?", { headers: auth })).status).toBe(200);
    expect(await get("/apps/blog?")).toMatchObject({ status: 404, json: { error: "app not found: blog" } });
  });

  it("reads options from the query string as well as the form body", async () => {
    await rawRequest(rack.url, "POST", "/apps/shop/releases?env=B%3D2", { headers: auth });
    expect((await get("/apps/shop/releases?limit=1")).json[0].env).toBe("B=2");
  });

  it("creates releases from the whole env list and promotes them", async () => {
    const created = await rawRequest(rack.url, "POST", "/apps/shop/releases", {
      headers: form,
      body: `env=${encodeURIComponent("A=2\nB=3")}&description=bump`,
    });
    const release = JSON.parse(created.body);
    expect(release).toMatchObject({ env: "A=2\nB=3", description: "bump", app: "shop" });
    expect((await get("/apps/shop/releases?")).json.map((r: { id: string }) => r.id)[0]).toBe(release.id);
    await rawRequest(rack.url, "POST", `/apps/shop/releases/${release.id}/promote`, {
      headers: form,
      body: "force=false",
    });
    expect((await get("/apps/shop")).json).toMatchObject({ release: release.id, status: "running" });
    expect((await get("/apps/shop/processes")).json[0].release).toBe(release.id);
    const missingBuild = await rawRequest(rack.url, "POST", "/apps/shop/releases", {
      headers: form,
      body: "build=BNOPE",
    });
    expect(missingBuild.status).toBe(404);
  });

  it("starts a process from the Command header and scales services from the form", async () => {
    const started = await rawRequest(rack.url, "POST", "/apps/shop/services/web/processes?", {
      headers: { ...auth, Command: "rake db:migrate" },
    });
    const process = JSON.parse(started.body);
    expect(process).toMatchObject({ name: "web", command: "rake db:migrate", status: "running" });
    expect((await get(`/apps/shop/processes/${process.id}`)).json.id).toBe(process.id);
    await rawRequest(rack.url, "PUT", "/apps/shop/services/web", { headers: form, body: "count=3&cpu=512" });
    expect((await get("/apps/shop/services")).json[0]).toMatchObject({ name: "web", count: 3, cpu: 512 });
    expect((await get("/apps/shop/processes?service=web")).json).toHaveLength(4);
    expect(
      (await rawRequest(rack.url, "PUT", "/apps/shop/services/web", { headers: form, body: "count=x" }))
        .status,
    ).toBe(400);
    expect(
      (await rawRequest(rack.url, "POST", "/apps/shop/services/db/restart", { headers: auth })).status,
    ).toBe(404);
  });

  it("completes a build shortly after creating it, with a new release", async () => {
    await rawRequest(rack.url, "POST", "/apps/shop/objects/tmp/x.tgz", { headers: auth, body: "tarball" });
    const missing = await rawRequest(rack.url, "POST", "/apps/shop/builds", {
      headers: form,
      body: "url=object://shop/none",
    });
    expect(missing.status).toBe(404);
    const created = await rawRequest(rack.url, "POST", "/apps/shop/builds?", {
      headers: form,
      body: `url=${encodeURIComponent("object://shop/tmp/x.tgz")}&description=v2`,
    });
    const build = JSON.parse(created.body);
    expect(build).toMatchObject({ status: "running", description: "v2" });
    await new Promise((resolve) => setTimeout(resolve, 40));
    const done = (await get(`/apps/shop/builds/${build.id}`)).json;
    expect(done).toMatchObject({ status: "complete", release: expect.stringMatching(/^R/) });
    expect((await get("/apps/shop/releases?limit=1")).json[0]).toMatchObject({
      id: done.release,
      build: build.id,
    });
    expect((await get("/apps/shop/builds?limit=1")).json[0].id).toBe(build.id);
  });

  it("stores, checks, fetches and deletes objects with slashes in their keys", async () => {
    const stored = await rawRequest(rack.url, "POST", "/apps/shop/objects/tmp/a/b.tgz?", {
      headers: auth,
      body: "abc",
    });
    expect(JSON.parse(stored.body)).toEqual({ url: "object://shop/tmp/a/b.tgz" });
    expect(
      (await rawRequest(rack.url, "HEAD", "/apps/shop/objects/tmp/a/b.tgz", { headers: auth })).status,
    ).toBe(200);
    expect(
      (await rawRequest(rack.url, "GET", "/apps/shop/objects/tmp/a/b.tgz", { headers: auth })).body,
    ).toBe("abc");
    expect((await get("/apps/shop/objects")).json).toEqual([{ key: "tmp/a/b.tgz", size: 3 }]);
    await rawRequest(rack.url, "DELETE", "/apps/shop/objects/tmp/a/b.tgz", { headers: auth });
    expect(
      (await rawRequest(rack.url, "HEAD", "/apps/shop/objects/tmp/a/b.tgz", { headers: auth })).status,
    ).toBe(404);
  });

  it("records what reached it, headers and body digest included", async () => {
    await rawRequest(rack.url, "POST", "/apps/shop/releases?", {
      headers: { ...form, Cookie: "session=abc", "X-Convox-Actor": "ada" },
      body: "env=A%3D9",
    });
    const [recorded] = rack.requests;
    expect(recorded).toMatchObject({
      method: "POST",
      path: "/apps/shop/releases?",
      bodyBytes: 9,
      websocket: false,
    });
    // sha256("env=A%3D9")
    expect(recorded?.bodySha256).toBe("cb98e9d81480bc5508b22a8a7fdf1fa81c1a7a20f2bdc7f7547fbce9eb2c8eb5");
    expect(recorded?.headers).toMatchObject({
      authorization: basic("pw"),
      cookie: "session=abc",
      "x-convox-actor": "ada",
    });
    rack.reset();
    expect(rack.requests).toEqual([]);
    expect((await get("/apps/shop/releases")).json).toHaveLength(1);
  });
});
