// Threat: two processes open one embedded data directory at once and corrupt the database (and fork the audit chain).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from "./data-dir-lock.js";
import { openDatabase } from "./open.js";

const OPEN_MODULE = fileURLToPath(new URL("./open.ts", import.meta.url));
const GATEWAY_DIR = fileURLToPath(new URL("../..", import.meta.url));

const directories: string[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all(
    directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

async function makeDataDir(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "rgw-lock-"));
  directories.push(directory);
  return directory;
}

/** A real second process that opens `dataDir`, says "ready", then runs `then` ("hold" or "exit"). */
function spawnHolder(dataDir: string, then: "hold" | "exit"): Promise<ChildProcess> {
  const script = [
    `const { openDatabase } = await import(${JSON.stringify(OPEN_MODULE)});`,
    `await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });`,
    `process.stdout.write("ready\\n");`,
    then === "hold" ? "setInterval(() => {}, 60_000);" : "process.exit(0);",
  ].join("\n");
  // Sources throughout, workspace packages included (as test/server-process.ts runs the CLI): no dist/ needed.
  const nodeArgs = [
    "--conditions=@rack-gateway/source",
    "--import",
    "tsx",
    "--input-type=module",
    "-e",
    script,
  ];
  const child = spawn(process.execPath, nodeArgs, {
    cwd: GATEWAY_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve(child);
    });
    child.on("exit", (code) => {
      if (then === "exit") resolve(child);
      else reject(new Error(`holder exited early (${code}): ${stderr}`));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

describe("data directory lock", () => {
  it("refuses a directory held by another live process at once, then takes it over once that process is killed", async () => {
    const dataDir = await makeDataDir();
    const holder = await spawnHolder(dataDir, "hold");

    const refusal = await openDatabase({ dataDir }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(DataDirLockedError);
    const locked = refusal as DataDirLockedError;
    expect(locked.pid).toBe(holder.pid);
    expect(locked.dataDir).toBe(dataDir);
    expect(locked.command).toContain("node");
    expect(locked.message).toContain(
      `the data directory ${dataDir} is in use by rack-gateway-server (pid ${holder.pid}`,
    );
    expect(locked.message).toContain("Stop that process, or use the server's HTTP API, or set DATABASE_URL");

    // SIGKILL runs no exit handler: the lock file stays behind, naming a dead pid.
    holder.kill("SIGKILL");
    await waitForExit(holder);
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(true);

    const database = await openDatabase({ dataDir });
    try {
      expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), "utf8")).pid).toBe(process.pid);
      await database.stores.ping();
    } finally {
      await database.close();
    }
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  }, 60_000);

  it("is released when the holding process exits without closing", async () => {
    const dataDir = await makeDataDir();
    const holder = await spawnHolder(dataDir, "exit");
    await waitForExit(holder);
    expect(holder.exitCode).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  }, 60_000);

  it("refuses a second open in the same process until the first is released", async () => {
    const dataDir = await makeDataDir();
    const lock = acquireDataDirLock(dataDir);
    expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirLockedError);
    lock.release();
    lock.release();
    acquireDataDirLock(dataDir).release();
  });

  it("takes over a lock left by an earlier process that had this process's pid (containers reuse pid 1)", async () => {
    const dataDir = await makeDataDir();
    const hostname = (await import("node:os")).hostname();
    const stale = { pid: process.pid, hostname, startedAt: "2026-01-01T00:00:00.000Z", command: "old" };
    writeFileSync(join(dataDir, LOCK_FILE_NAME), JSON.stringify(stale));
    const lock = acquireDataDirLock(dataDir);
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), "utf8")).command).not.toBe("old");
    lock.release();
  });

  it("treats a lock from another host as live: its pid cannot be checked from here", async () => {
    const dataDir = await makeDataDir();
    const remote = {
      pid: 4242,
      hostname: "other-host",
      startedAt: "2026-01-01T00:00:00.000Z",
      command: "gw",
    };
    writeFileSync(join(dataDir, LOCK_FILE_NAME), JSON.stringify(remote));
    expect(() => acquireDataDirLock(dataDir)).toThrow(/pid 4242 on host other-host/);
  });

  it("takes over an unreadable lock file", async () => {
    const dataDir = await makeDataDir();
    writeFileSync(join(dataDir, LOCK_FILE_NAME), "");
    acquireDataDirLock(dataDir).release();
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  });

  it("does not delete a lock another process took over after ours was judged stale", async () => {
    const dataDir = await makeDataDir();
    const lock = acquireDataDirLock(dataDir);
    const successor = {
      pid: 4243,
      hostname: "other-host",
      startedAt: "2026-01-01T00:00:00.000Z",
      command: "gw",
    };
    writeFileSync(join(dataDir, LOCK_FILE_NAME), JSON.stringify(successor));
    lock.release();
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), "utf8")).pid).toBe(4243);
  });
});
