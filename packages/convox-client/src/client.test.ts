import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PrefixProxy, startPrefixProxy } from "../test/prefix-proxy.js";
import { createConvoxClient, createWsSocketFactory, parseEnv } from "./index.js";
import { type FakeRack, startFakeRack } from "./testing/index.js";

const password = "p@ss/w0rd";
let rack: FakeRack;
let proxy: PrefixProxy;

const clientFor = (url: string) =>
  createConvoxClient({
    url,
    password,
    fetch,
    openWebSocket: createWsSocketFactory(),
    userAgent: "rack-gateway-cli/test",
  });

// Node's fetch drops an empty query on the wire; Request.url keeps the CLI's trailing "?".
const httpPath = (path: string | undefined) => path?.replace(/\?$/, "");

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

beforeAll(async () => {
  rack = await startFakeRack({ password, buildDurationMs: 20 });
  proxy = await startPrefixProxy(rack.url, "/api/v1/rack-proxy");
});
afterAll(async () => {
  await proxy.close();
  await rack.close();
});
beforeEach(() => rack.reset());

describe.each([
  ["direct", () => rack.url],
  ["through a path prefix", () => proxy.url],
])("client %s", (_label, url) => {
  it("sends the convox CLI's headers and a trailing ? on every URL", async () => {
    await clientFor(url()).listApps();
    const [request] = rack.requests;
    expect(httpPath(request?.path)).toBe("/apps");
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from("convox:p%40ss%2Fw0rd").toString("base64")}`,
    );
    expect(request?.headers["user-agent"]).toBe("rack-gateway-cli/test");
    expect(request?.headers.version).toBe("3.0.0");
    expect(request?.headers.accept).toBe("*/*");
    expect(request?.headers["content-type"]).toBe("application/octet-stream");
  });

  it("checks, authenticates and reads the system", async () => {
    const client = clientFor(url());
    await client.check();
    await client.auth();
    const system = await client.system();
    expect(system).toMatchObject({
      name: "fake-rack",
      provider: "aws",
      status: "running",
      version: "3.19.6",
    });
  });

  it("lists and reads apps, processes and services", async () => {
    const client = clientFor(url());
    expect((await client.listApps()).map((app) => app.name)).toEqual(["myapp"]);
    const app = await client.getApp("myapp");
    expect(app).toMatchObject({ name: "myapp", status: "running", locked: false });
    expect(app.release).toMatch(/^R[A-Z]{10}$/);
    const processes = await client.listProcesses("myapp");
    expect(processes.map((p) => p.name)).toEqual(["web", "web", "worker"]);
    expect(await client.listProcesses("myapp", { service: "worker" })).toHaveLength(1);
    const first = processes[0]!;
    expect(await client.getProcess("myapp", first.id)).toEqual(first);
    expect((await client.listServices("myapp")).map((s) => [s.name, s.count])).toEqual([
      ["web", 2],
      ["worker", 1],
    ]);
  });

  it("stops a process", async () => {
    const client = clientFor(url());
    const [first] = await client.listProcesses("myapp");
    await client.stopProcess("myapp", first!.id);
    expect((await client.listProcesses("myapp")).map((p) => p.id)).not.toContain(first!.id);
    expect(rack.requests.at(-2)?.method).toBe("DELETE");
    expect(httpPath(rack.requests.at(-2)?.path)).toBe(`/apps/myapp/processes/${first!.id}`);
  });

  it("scales with a form body and restarts every service", async () => {
    const client = clientFor(url());
    await client.scaleService("myapp", "web", { count: 4, memory: 1024 });
    const scale = rack.requests.at(-1)!;
    expect([scale.method, httpPath(scale.path)]).toEqual(["PUT", "/apps/myapp/services/web"]);
    expect(scale.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(await client.listProcesses("myapp", { service: "web" })).toHaveLength(4);
    const before = (await client.listProcesses("myapp")).map((p) => p.id);
    expect(await client.restartApp("myapp")).toEqual(["web", "worker"]);
    const after = (await client.listProcesses("myapp")).map((p) => p.id);
    expect(after).toHaveLength(5);
    expect(after.some((id) => before.includes(id))).toBe(false);
    expect(() => client.scaleService("myapp", "web", { count: -1 })).toThrow(RangeError);
  });

  it("reads releases newest first with a limit and the env of the latest", async () => {
    const client = clientFor(url());
    await client.setEnv("myapp", { A: "1" });
    const releases = await client.listReleases("myapp", { limit: 1 });
    expect(rack.requests.at(-1)?.path).toBe("/apps/myapp/releases?limit=1");
    expect(releases).toHaveLength(1);
    expect(parseEnv((await client.getRelease("myapp", releases[0]!.id)).env).A).toBe("1");
    expect(await client.getEnv("myapp")).toEqual({
      A: "1",
      DATABASE_URL: "postgres://app:s3cret@db.internal:5432/app",
      LOG_LEVEL: "info",
      SECRET_KEY: "k3y",
    });
  });

  it("sets and unsets env like convox: the whole list in a new release, promoted on request", async () => {
    const client = clientFor(url());
    const appBefore = await client.getApp("myapp");
    const set = await client.setEnv("myapp", { LOG_LEVEL: "debug", NEW: "x y" });
    expect(set.promoted).toBe(false);
    expect(set.release.env).toBe(
      "DATABASE_URL=postgres://app:s3cret@db.internal:5432/app\nLOG_LEVEL=debug\nNEW=x y\nSECRET_KEY=k3y",
    );
    const post = rack.requests.find(
      (r) => r.method === "POST" && httpPath(r.path) === "/apps/myapp/releases",
    );
    expect(post?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect((await client.getApp("myapp")).release).toBe(appBefore.release);

    const unset = await client.unsetEnv("myapp", ["NEW", "SECRET_KEY"], { promote: true });
    expect(unset.promoted).toBe(true);
    expect(parseEnv(unset.release.env)).toEqual({
      DATABASE_URL: "postgres://app:s3cret@db.internal:5432/app",
      LOG_LEVEL: "debug",
    });
    expect((await client.getApp("myapp")).release).toBe(unset.release.id);
    const promote = rack.requests.find(
      (r) => httpPath(r.path) === `/apps/myapp/releases/${unset.release.id}/promote`,
    );
    expect(promote?.method).toBe("POST");
    await expect(client.setEnv("myapp", { "BAD KEY": "1" })).rejects.toThrow(TypeError);
  });

  it("keeps masked values verbatim", async () => {
    const client = clientFor(url());
    await client.setEnv("myapp", { SECRET_KEY: "********" });
    expect((await client.getEnv("myapp")).SECRET_KEY).toBe("********");
  });

  it("promotes a release", async () => {
    const client = clientFor(url());
    const { release } = await client.setEnv("myapp", { B: "2" });
    await client.promoteRelease("myapp", release.id);
    expect(await client.getApp("myapp")).toMatchObject({ release: release.id, status: "running" });
  });

  it("uploads a tarball, builds it with streamed logs and finds the new release", async () => {
    const client = clientFor(url());
    const tarball = new Uint8Array(300_000).map((_, i) => i % 251);
    const progress: number[] = [];
    async function* chunks() {
      for (let offset = 0; offset < tarball.length; offset += 100_000)
        yield tarball.subarray(offset, offset + 100_000);
    }
    const object = await client.uploadObject("myapp", "tmp/abc123.tgz", chunks(), {
      onProgress: (sent) => progress.push(sent),
    });
    expect(object).toEqual({ url: "object://myapp/tmp/abc123.tgz" });
    expect(progress).toEqual([100_000, 200_000, 300_000]);
    expect(rack.state.objects.get("myapp/tmp/abc123.tgz")?.size).toBe(300_000);
    expect(httpPath(rack.requests.at(-1)?.path)).toBe("/apps/myapp/objects/tmp/abc123.tgz");

    const build = await client.createBuild("myapp", { url: object.url, description: "deploy 1" });
    expect(build).toMatchObject({ app: "myapp", description: "deploy 1", status: "running" });
    const logs = (await collect(client.streamBuildLogs("myapp", build.id))).join("");
    expect(logs).toContain("Building: myapp");
    const done = await client.getBuild("myapp", build.id);
    expect(done.status).toBe("complete");
    expect(logs).toContain(`Release: ${done.release}`);
    expect((await client.listBuilds("myapp", { limit: 1 }))[0]?.id).toBe(build.id);
    expect((await client.listReleases("myapp"))[0]?.build).toBe(build.id);
  });

  it("uploads a Uint8Array and a ReadableStream", async () => {
    const client = clientFor(url());
    await client.uploadObject("myapp", "a.bin", new Uint8Array([1, 2, 3]));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([4, 5]));
        controller.close();
      },
    });
    await client.uploadObject("myapp", "b.bin", stream);
    expect(rack.state.objects.get("myapp/a.bin")?.bytes).toEqual(new Uint8Array([1, 2, 3]));
    expect(rack.state.objects.get("myapp/b.bin")?.bytes).toEqual(new Uint8Array([4, 5]));
  });

  it("streams recent logs then ends, and follows new lines until the loop stops", async () => {
    const client = clientFor(url());
    rack.emitLog("myapp", "hello");
    expect(await collect(client.streamLogs("myapp", { tail: 1 }))).toEqual(["hello\n"]);
    const prefixed = await collect(client.streamLogs("myapp", { tail: 1, prefix: true, since: "1h" }));
    expect(prefixed[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ service\/web\/web-\w+ hello\n$/);
    const socketRequest = rack.requests.at(-1)!;
    expect(socketRequest).toMatchObject({ websocket: true, path: "/apps/myapp/logs?" });
    expect(socketRequest.headers).toMatchObject({ follow: "false", prefix: "true", since: "1h", tail: "1" });

    const followed: string[] = [];
    const follow = client.streamLogs("myapp", { follow: true, tail: 0 });
    // The first line is emitted once the stream is open: the rack recorded the upgrade.
    const emitFirst = setInterval(() => {
      if (rack.requests.at(-1)?.headers.follow === "true") {
        clearInterval(emitFirst);
        rack.emitLog("myapp", "first");
      }
    }, 5);
    for await (const line of follow) {
      followed.push(line);
      if (followed.length === 2) break;
      rack.emitLog("myapp", "second");
    }
    clearInterval(emitFirst);
    expect(followed).toEqual(["first\n", "second\n"]);
    expect(() => client.streamLogs("myapp", { since: "yesterday" })).toThrow(TypeError);
  });

  it("execs with output, stdin relay and the exit code", async () => {
    const client = clientFor(url());
    const [process] = await client.listProcesses("myapp");
    let output = "";
    const echoed = await client.exec("myapp", process!.id, "echo hi there", {
      onOutput: (text) => (output += text),
    });
    expect(echoed).toEqual({ exitCode: 0 });
    expect(output).toBe("hi there\n");

    output = "";
    async function* stdin() {
      yield "line one\n";
      yield new TextEncoder().encode("line two\n");
    }
    const cat = await client.exec("myapp", process!.id, "cat", {
      stdin: stdin(),
      onOutput: (t) => (output += t),
    });
    expect(cat.exitCode).toBe(0);
    expect(output).toBe("line one\nline two\n");
    expect(await client.exec("myapp", process!.id, "exit 3")).toEqual({ exitCode: 3 });
    expect(await client.exec("myapp", process!.id, "nope")).toEqual({ exitCode: 127 });
    const exec = rack.requests.filter((r) => r.websocket).at(-1)!;
    expect(exec.headers).toMatchObject({ command: "nope", tty: "false" });
  });

  it("runs a command in a fresh process and stops it afterwards", async () => {
    const client = clientFor(url());
    let output = "";
    const result = await client.run("myapp", "web", "env", { onOutput: (text) => (output += text) });
    expect(result.exitCode).toBe(0);
    expect(output).toContain("LOG_LEVEL=info\n");
    const start = rack.requests.find(
      (r) => r.method === "POST" && httpPath(r.path) === "/apps/myapp/services/web/processes",
    );
    expect(start?.headers.command).toBe("sleep 3600");
    const exec = rack.requests.find((r) => r.websocket)!;
    expect(exec.headers).toMatchObject({ command: "env", entrypoint: "true" });
    const pid = exec.path.split("/")[4];
    expect(rack.requests.at(-1)?.method).toBe("DELETE");
    expect(httpPath(rack.requests.at(-1)?.path)).toBe(`/apps/myapp/processes/${pid}`);
    expect(rack.state.processes.some((p) => p.id === pid)).toBe(false);
  });
});

describe("client construction", () => {
  it("refuses URLs that would leak or lose credentials", () => {
    const make = (url: string) => () =>
      createConvoxClient({ url, password: "x", fetch, openWebSocket: createWsSocketFactory() });
    expect(make("not a url")).toThrow(TypeError);
    expect(make("ftp://rack")).toThrow(/http/);
    expect(make("https://convox:secret@rack")).toThrow(/options.password/);
    expect(make("https://rack/?x=1")).toThrow(TypeError);
  });

  it("builds requests and socket calls without sending them", () => {
    const client = createConvoxClient({
      url: "https://rack.example.test:5443/api/v1/rack-proxy/",
      password: "tok",
      fetch: () => Promise.reject(new Error("must not send")),
      openWebSocket: () => {
        throw new Error("must not open");
      },
    });
    const request = client.buildRequest({ method: "GET", path: "/apps/x/releases", query: { limit: 1 } });
    expect(request.url).toBe("https://rack.example.test:5443/api/v1/rack-proxy/apps/x/releases?limit=1");
    expect(request.headers.get("user-agent")).toBe("rack-gateway-cli/0.1.0");
    const socket = client.buildSocketRequest("/apps/x/logs", { Follow: true });
    expect(socket.url).toBe("wss://rack.example.test:5443/api/v1/rack-proxy/apps/x/logs?");
    expect(socket.headers).toMatchObject({ Origin: "https://rack.example.test:5443", Follow: "true" });
  });
});
