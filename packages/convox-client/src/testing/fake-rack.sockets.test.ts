import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { basic, openRawSocket, texts } from "../../test/raw-http.js";
import { EXIT_CODE_MARKER } from "../index.js";
import { type FakeRack, startFakeRack } from "./index.js";

let rack: FakeRack;
let headers: Record<string, string>;
let pid: string;

beforeAll(async () => {
  rack = await startFakeRack({ password: "pw", buildDurationMs: 10 });
  headers = { Authorization: basic("pw"), Origin: rack.url };
});
afterAll(() => rack.close());
beforeEach(() => {
  rack.reset();
  pid = rack.state.processes[0]!.id;
});

const exec = (command: string, extra: Record<string, string> = {}) =>
  openRawSocket(rack.url, `/apps/myapp/processes/${pid}/exec?`, { ...headers, Command: command, ...extra });

describe("fake rack websockets", () => {
  it("ends exec with the exit frame then an empty binary frame", async () => {
    const socket = await exec("echo hello world");
    const frames = await socket.untilEof;
    expect(frames).toEqual([
      { text: "hello world\n" },
      { text: `${EXIT_CODE_MARKER}0\n` },
      { binary: new Uint8Array(0) },
    ]);
  });

  it.each([
    ["exit 3", [], 3],
    ["nosuch --flag", ["nosuch: command not found\n"], 127],
    ["echo 'quoted  words' \"and more\"", ["quoted  words and more\n"], 0],
    ["sleep 5", [], 0],
  ])("interprets %s", async (command, output, code) => {
    const frames = texts(await (await exec(command)).untilEof);
    expect(frames).toEqual([...output, `${EXIT_CODE_MARKER}${code}\n`]);
  });

  it("prints the release env for env", async () => {
    const frames = texts(await (await exec("env")).untilEof);
    expect(frames).toContain("LOG_LEVEL=info\n");
    expect(frames.at(-1)).toBe(`${EXIT_CODE_MARKER}0\n`);
  });

  it("relays stdin text frames to cat until the empty binary frame", async () => {
    const socket = await exec("cat", { Tty: "false" });
    socket.socket.send("one\n");
    socket.socket.send("two\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(texts(socket.frames)).toEqual(["one\n", "two\n"]);
    socket.socket.send(new Uint8Array(0), { binary: true });
    expect(texts(await socket.untilEof)).toEqual(["one\n", "two\n", `${EXIT_CODE_MARKER}0\n`]);
  });

  it("reports failures as an ERROR: frame followed by end of stream", async () => {
    const socket = await openRawSocket(rack.url, "/apps/myapp/processes/web-nope/exec", {
      ...headers,
      Command: "ls",
    });
    expect(await socket.untilEof).toEqual([
      { text: "ERROR: process not found: web-nope\n" },
      { binary: new Uint8Array(0) },
    ]);
    const ghost = await openRawSocket(rack.url, "/apps/ghost/logs", headers);
    expect(texts(await ghost.untilEof)).toEqual(["ERROR: app not found: ghost\n"]);
  });

  it("sends recent logs then EOF without Follow, honouring Tail and Prefix", async () => {
    rack.emitLog("myapp", "a");
    rack.emitLog("myapp", "b", "service/web/web-x");
    const socket = await openRawSocket(rack.url, "/apps/myapp/logs", {
      ...headers,
      Tail: "2",
      Prefix: "true",
    });
    const lines = texts(await socket.untilEof);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\S+Z service\/web\/web-x b\n$/);
  });

  it("filters logs with Since", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const clocked = await startFakeRack({ password: "pw", now: () => now, apps: [{ name: "a" }] });
    try {
      clocked.emitLog("a", "old");
      now = new Date("2026-01-01T00:10:00Z");
      clocked.emitLog("a", "new");
      const auth = { Authorization: basic("pw") };
      const recent = await openRawSocket(clocked.url, "/apps/a/logs", { ...auth, Since: "5m" });
      expect(texts(await recent.untilEof)).toEqual(["new\n"]);
      const all = await openRawSocket(clocked.url, "/apps/a/logs", { ...auth, Since: "1h0m0s" });
      expect(texts(await all.untilEof)).toEqual(["release RAAAAAAAAAC is running\n", "old\n", "new\n"]);
    } finally {
      await clocked.close();
    }
  });

  it("keeps streaming emitted lines with Follow until the client closes", async () => {
    const socket = await openRawSocket(rack.url, "/apps/myapp/logs", {
      ...headers,
      Follow: "true",
      Tail: "0",
    });
    rack.emitLog("myapp", "live 1");
    rack.emitLog("other", "not mine");
    rack.emitLog("myapp", "live 2");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.frames).toEqual([{ text: "live 1\n" }, { text: "live 2\n" }]);
    socket.socket.close();
  });

  it("streams build logs until the build completes", async () => {
    const slow = await startFakeRack({ password: "pw", buildDurationMs: 150 });
    try {
      const auth = { Authorization: basic("pw") };
      await fetch(`${slow.url}/apps/myapp/objects/tmp/k.tgz`, { method: "POST", headers: auth, body: "x" });
      const answer = await fetch(`${slow.url}/apps/myapp/builds`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" },
        body: "url=object://myapp/tmp/k.tgz",
      });
      const build = (await answer.json()) as { id: string; status: string };
      expect(build.status).toBe("running");
      const socket = await openRawSocket(slow.url, `/apps/myapp/builds/${build.id}/logs`, auth);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(texts(socket.frames)[0]).toBe("Building: myapp\n");
      expect(socket.frames.some((frame) => "binary" in frame)).toBe(false);
      const output = texts(await socket.untilEof).join("");
      const done = slow.state.builds.find((candidate) => candidate.id === build.id)!;
      expect(done.status).toBe("complete");
      expect(output).toContain(`Build: ${build.id}\nRelease: ${done.release}\n`);
    } finally {
      await slow.close();
    }
  });

  it("prints one line then EOF on every other socket route", async () => {
    for (const path of [
      "/apps/myapp/services/web/logs",
      `/apps/myapp/processes/${pid}/logs`,
      "/apps/myapp/resources/database/console",
      "/system/logs",
      "/instances/i-1/shell",
      "/proxy/10.0.0.1/5432",
    ]) {
      const socket = await openRawSocket(rack.url, `${path}?`, headers);
      const frames = await socket.untilEof;
      expect(frames).toHaveLength(2);
      expect(texts(frames)[0]).toMatch(/\n$/);
    }
  });

  it("refuses upgrades on unknown socket paths with 404", async () => {
    await expect(openRawSocket(rack.url, "/apps/myapp/nope", headers)).rejects.toMatchObject({ status: 404 });
  });
});
