import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Role } from "@rack-gateway/rbac";
import { list } from "tar";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../gateway/test/harness.js";
import { type CliRunOptions, createHome, runCli } from "./cli-process.js";
import { startCliSession, writeSignedInConfig } from "./signed-in.js";

const MASK = "********";
const ROLES = ["viewer", "ops", "deployer"] as const satisfies readonly Role[];
type Who = (typeof ROLES)[number];

describe("native commands, built binary → gateway → fake rack", () => {
  let harness: Harness;
  const homes = {} as Record<Who, Record<string, string>>;
  const as = (who: Who, args: readonly string[], options: CliRunOptions = {}) =>
    runCli(args, { ...options, env: { ...homes[who], ...options.env } });

  beforeAll(async () => {
    harness = await startHarness({
      env: { PROTECTED_ENV_VARS: "DATABASE_URL" },
      rack: { buildDurationMs: 20 },
    });
    for (const role of ROLES) {
      const home = createHome();
      const person = await startCliSession(harness, [{ role }], role);
      writeSignedInConfig(home.configHome, harness.gatewayUrl, { local: person }, "local");
      homes[role] = home.env;
    }
  });
  afterEach(() => harness.rack.reset());
  afterAll(() => harness?.close());

  const pathsReachingRack = () =>
    harness.rack.requests.map((request) => `${request.method} ${request.path.replace(/\?$/, "")}`);

  it("apps: a table, and --json with the rack's objects", async () => {
    const table = await as("viewer", ["apps"]);
    expect(table).toMatchObject({ code: 0, stderr: "" });
    expect(table.stdout.split("\n")[0]).toMatch(/^APP\s+STATUS\s+RELEASE$/);
    expect(table.stdout).toMatch(/^myapp\s+running\s+R\w+$/m);
    const json = await as("viewer", ["apps", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ name: "myapp", status: "running" })]);
  });

  it("apps info: one app; an unknown app is exit 5 with the rack's message", async () => {
    const info = await as("viewer", ["apps", "info", "-a", "myapp"]);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^Name\s+myapp$/m);
    const ghost = await as("viewer", ["apps", "info", "ghost"]);
    expect(ghost.code).toBe(5);
    expect(ghost.stderr).toContain("ghost");
  });

  it("app name from CONVOX_APP, then .convox/app, then the directory name", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "rgw-app-")), "myapp");
    mkdirSync(dir);
    expect((await as("viewer", ["apps", "info"], { cwd: dir })).stdout).toMatch(/^Name\s+myapp$/m);
    mkdirSync(join(dir, ".convox"));
    writeFileSync(join(dir, ".convox", "app"), "ghost\n");
    expect((await as("viewer", ["apps", "info"], { cwd: dir })).code).toBe(5);
    const fromEnv = await as("viewer", ["apps", "info"], { cwd: dir, env: { CONVOX_APP: "myapp" } });
    expect(fromEnv.code).toBe(0);
  });

  it("ps lists processes for a viewer; ps stop is denied to a viewer and works for ops", async () => {
    const ps = await as("viewer", ["ps", "-a", "myapp", "--json"]);
    const processes = JSON.parse(ps.stdout) as { id: string; name: string }[];
    expect(processes.map((p) => p.name).sort()).toEqual(["web", "web", "worker"]);
    const pid = processes[0]?.id ?? "";
    expect((await as("viewer", ["ps", "-a", "myapp"])).stdout).toContain(pid);

    const denied = await as("viewer", ["ps", "stop", pid, "-a", "myapp"]);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/permission denied: .*convox:process:terminate/);
    expect(pathsReachingRack()).not.toContain(`DELETE /apps/myapp/processes/${pid}`);

    const stopped = await as("ops", ["ps", "stop", pid, "-a", "myapp"]);
    expect(stopped.code).toBe(0);
    expect(pathsReachingRack()).toContain(`DELETE /apps/myapp/processes/${pid}`);
  });

  it("env: masked values stay masked; ops see plain values but not secrets or protected keys", async () => {
    const viewer = await as("viewer", ["env", "-a", "myapp", "--json"]);
    expect(JSON.parse(viewer.stdout)).toEqual({ DATABASE_URL: MASK, LOG_LEVEL: MASK, SECRET_KEY: MASK });
    const ops = await as("ops", ["env", "-a", "myapp"]);
    expect(ops.stdout).toBe(`DATABASE_URL=${MASK}\nLOG_LEVEL=info\nSECRET_KEY=${MASK}\n`);
    expect((await as("ops", ["env", "get", "LOG_LEVEL", "-a", "myapp"])).stdout).toBe("info\n");
    expect((await as("ops", ["env", "get", "SECRET_KEY", "-a", "myapp"])).stdout).toBe(`${MASK}\n`);
    const missing = await as("ops", ["env", "get", "NOPE", "-a", "myapp"]);
    expect(missing).toMatchObject({ code: 5, stderr: "rack-gateway: NOPE is not set on myapp\n" });
  });

  it("env set / unset: denied to ops, done by a deployer; masked values keep their real value", async () => {
    const denied = await as("ops", ["env", "set", "LOG_LEVEL=debug", "-a", "myapp"]);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/permission denied/);

    const set = await as("deployer", [
      "env",
      "set",
      "LOG_LEVEL=debug",
      "FEATURE=on",
      "-a",
      "myapp",
      "--promote",
    ]);
    expect(set.code).toBe(0);
    const releaseId = /Release: (\w+)/.exec(set.stdout)?.[1];
    const release = harness.rack.state.releases.find((r) => r.id === releaseId);
    expect(release?.env.split("\n").sort()).toEqual([
      "DATABASE_URL=postgres://app:s3cret@db.internal:5432/app",
      "FEATURE=on",
      "LOG_LEVEL=debug",
      "SECRET_KEY=k3y",
    ]);
    expect(harness.rack.state.apps.get("myapp")?.release).toBe(releaseId);

    const unset = await as("deployer", ["env", "unset", "FEATURE", "-a", "myapp"]);
    expect(unset.code).toBe(0);
    const latest = harness.rack.state.releases.at(-1);
    expect(latest?.env).not.toContain("FEATURE");
    // Without --promote the new release is not promoted.
    expect(harness.rack.state.apps.get("myapp")?.release).toBe(releaseId);

    const protectedKey = await as("deployer", ["env", "set", "DATABASE_URL=postgres://evil", "-a", "myapp"]);
    expect(protectedKey.code).toBe(4);
    expect(protectedKey.stderr).toContain("DATABASE_URL");
  });

  it("releases and releases promote (denied to a viewer)", async () => {
    const releases = await as("viewer", ["releases", "-a", "myapp"]);
    expect(releases.code).toBe(0);
    expect(releases.stdout).toMatch(/^R\w+\s+active/m);
    const json = JSON.parse((await as("viewer", ["releases", "-a", "myapp", "--json"])).stdout) as {
      id: string;
    }[];
    const target = json.at(-1)?.id ?? "";

    const denied = await as("viewer", ["releases", "promote", target, "-a", "myapp"]);
    expect(denied.code).toBe(4);
    const promoted = await as("deployer", ["releases", "promote", target, "-a", "myapp"]);
    expect(promoted.code).toBe(0);
    expect(pathsReachingRack()).toContain(`POST /apps/myapp/releases/${target}/promote`);
  });

  it("logs streams the app's log lines over the websocket relay", async () => {
    harness.rack.emitLog("myapp", "hello from the e2e test");
    const logs = await as("viewer", ["logs", "-a", "myapp", "--since", "1h"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("hello from the e2e test");
    const bad = await as("viewer", ["logs", "-a", "myapp", "--since", "yesterday"]);
    expect(bad.code).not.toBe(0);
  });

  it("restart and scale: denied to a viewer, done by ops", async () => {
    const denied = await as("viewer", ["restart", "-a", "myapp"]);
    expect(denied.code).toBe(4);
    expect(pathsReachingRack().filter((p) => p.endsWith("/restart"))).toEqual([]);
    expect((await as("ops", ["restart", "-a", "myapp"])).code).toBe(0);
    expect(pathsReachingRack().filter((p) => p.endsWith("/restart"))).toEqual([
      "POST /apps/myapp/services/web/restart",
      "POST /apps/myapp/services/worker/restart",
    ]);

    const services = await as("viewer", ["scale", "-a", "myapp"]);
    expect(services.stdout).toMatch(/^web\s+2\s/m);
    expect((await as("viewer", ["scale", "web", "--count", "3", "-a", "myapp"])).code).toBe(4);
    expect((await as("ops", ["scale", "web", "--count", "3", "-a", "myapp"])).code).toBe(0);
    expect(harness.rack.state.services.get("myapp")?.find((s) => s.name === "web")?.count).toBe(3);
    expect((await as("ops", ["scale", "web", "-a", "myapp"])).code).toBe(2);
  });

  it("rack shows the system", async () => {
    const rack = await as("viewer", ["rack", "--json"]);
    expect(rack.code).toBe(0);
    expect(JSON.parse(rack.stdout)).toMatchObject({ name: harness.rack.state.system.name });
  });

  it("run and exec stream output and pass the exit code through; denied to a viewer", async () => {
    const echo = await as("ops", ["run", "web", "echo", "hello", "world", "-a", "myapp"]);
    expect(echo).toMatchObject({ code: 0 });
    expect(echo.stdout).toContain("hello world");
    expect((await as("ops", ["run", "web", "exit", "3", "-a", "myapp"])).code).toBe(3);
    const denied = await as("viewer", ["run", "web", "echo", "hi", "-a", "myapp"]);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/permission denied: .*convox:process:start/);

    const pid = harness.rack.state.processes.find((p) => p.app === "myapp" && p.name === "web")?.id ?? "";
    const piped = await as("ops", ["exec", pid, "cat", "-a", "myapp"], { input: "through stdin\n" });
    expect(piped).toMatchObject({ code: 0, stdout: "through stdin\n" });
    expect((await as("ops", ["exec", pid, "exit", "7", "-a", "myapp"])).code).toBe(7);
    expect((await as("viewer", ["exec", pid, "echo", "x", "-a", "myapp"])).code).toBe(4);
  });

  it("deploy: tarball honouring .dockerignore, build logs, promote; denied to a viewer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rgw-deploy-"));
    writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
    writeFileSync(join(dir, "app.js"), "console.log('hi')\n");
    writeFileSync(join(dir, ".dockerignore"), "node_modules\n*.log\n");
    writeFileSync(join(dir, "debug.log"), "noise\n");
    mkdirSync(join(dir, "node_modules"));
    writeFileSync(join(dir, "node_modules", "dep.js"), "x\n");

    const denied = await as("viewer", ["deploy", "-a", "myapp"], { cwd: dir });
    expect(denied.code).toBe(4);
    expect(harness.rack.state.objects.size).toBe(0);

    const before = harness.rack.state.apps.get("myapp")?.release;
    const deploy = await as("deployer", ["deploy", "-a", "myapp", "-d", "e2e deploy"], { cwd: dir });
    expect(deploy.code).toBe(0);
    expect(deploy.stderr).toMatch(/Uploading source \[=+\] 100%/);
    const [object] = [...harness.rack.state.objects.values()];
    const tarball = join(dir, "..", `${object?.sha256}.tgz`);
    writeFileSync(tarball, object?.bytes ?? new Uint8Array());
    const names: string[] = [];
    await list({ file: tarball, onReadEntry: (entry) => names.push(entry.path) });
    expect(names.sort()).toEqual([".dockerignore", "Dockerfile", "app.js"]);
    const build = harness.rack.state.builds.at(-1);
    expect(build).toMatchObject({ status: "complete", description: "e2e deploy" });
    expect(deploy.stdout).toContain(`Release: ${build?.release}`);
    expect(harness.rack.state.apps.get("myapp")?.release).toBe(build?.release);
    expect(build?.release).not.toBe(before);

    const builds = await as("viewer", ["builds", "-a", "myapp"]);
    expect(builds.stdout).toMatch(new RegExp(`^${build?.id}\\s+complete`, "m"));
  });
});
