/**
 * The convox commands of CONVOX-API.md "What the common commands send", request by request as the CLI sends
 * them, for a token of every role. Each step is allowed or refused exactly as the permission table says; a
 * refused step ends the command, as it ends the CLI. Afterwards the audit log must hold exactly the records
 * the documented rule gives for the calls made here (read 1; mutation 2; websocket session 2; denial 1;
 * one more per changed env key; `GET /check` none), and its chain must verify.
 */
import { createHash, randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CliRequestOptions, type CliResponse, createTarball, sendCliRequest } from "./convox-cli.js";
import { type Harness, ROLE_NAMES, startHarness } from "./harness.js";
import { type Frame, openRecordedSocket, refusalOf, type SocketTranscript } from "./socket-frames.js";

type RoleName = (typeof ROLE_NAMES)[number];

// Who may take each kind of step (CONVOX-API.md's min roles; cicd reads only, no deploy approval exists here).
const MAY = {
  read: new Set<RoleName>(["viewer", "ops", "deployer", "admin", "cicd"]),
  operate: new Set<RoleName>(["ops", "deployer", "admin"]),
  deploy: new Set<RoleName>(["deployer", "admin"]),
  mintRackJwt: new Set<RoleName>(),
} as const;
type Access = keyof typeof MAY;

const EXIT_FRAME_PREFIX = "F1E49A85-0AD7-4AEF-A618-C249C6E6568D:";
const SEEDED_PID = "web-aaaad";

/** What the calls made so far must have left in the audit log. */
const ledger = { reads: 0, mutations: 0, sockets: 0, denials: 0, envChanges: 0, checks: 0 };
const expectedAuditRecords = () =>
  ledger.reads + 2 * ledger.mutations + 2 * ledger.sockets + ledger.denials + ledger.envChanges;

class Refused extends Error {}

let harness: Harness;

/** One role at the keyboard: every method is one request of a convox command, checked and counted. */
class CliSession {
  constructor(
    readonly role: RoleName,
    readonly token: string,
  ) {}

  may(access: Access): boolean {
    return MAY[access].has(this.role);
  }

  /** A plain HTTP request; throws Refused (ending the command) when the table refuses it. */
  async call(
    access: Access,
    method: string,
    path: string,
    options: CliRequestOptions = {},
  ): Promise<CliResponse> {
    const response = await sendCliRequest(harness.proxyUrl, this.token, method, path, options);
    if (!this.may(access)) {
      expect(response.status, `${method} ${path} as ${this.role}: ${response.text}`).toBe(403);
      expect(response.json()).toEqual({ error: expect.stringMatching(/^forbidden: /), code: "FORBIDDEN" });
      ledger.denials++;
      throw new Refused(`${method} ${path}`);
    }
    expect(response.status, `${method} ${path} as ${this.role}: ${response.text}`).toBeLessThan(400);
    if (method === "GET" || method === "HEAD") ledger.reads++;
    else ledger.mutations++;
    return response;
  }

  /** The probe the CLI sends before every websocket: the gateway answers 404 like a rack, and audits it. */
  async probe(path: string): Promise<void> {
    const probePath = path.startsWith("/apps/") ? "/machines?" : "/racks?";
    const response = await sendCliRequest(harness.proxyUrl, this.token, "GET", probePath);
    expect(response.status).toBe(404);
    ledger.reads++;
  }

  /** Probe, then a websocket; resolves with the open socket and its transcript, or throws Refused. */
  async socket(
    access: Access,
    path: string,
    headers: Record<string, string>,
    onFrame?: (frame: Frame) => void,
  ) {
    await this.probe(path);
    const opening = openRecordedSocket(harness, this.token, path, headers, onFrame);
    if (!this.may(access)) {
      const refusal = await refusalOf(opening);
      expect(refusal?.status, `SOCKET ${path} as ${this.role}`).toBe(403);
      expect(JSON.parse(refusal?.body ?? "null")).toMatchObject({ code: "FORBIDDEN" });
      ledger.denials++;
      throw new Refused(`SOCKET ${path}`);
    }
    const opened = await opening;
    ledger.sockets++;
    return opened;
  }

  /** The wait loop after promote and scale: logs (Since 5s, Prefix) while polling until the app runs. */
  async waitForRunning(app: string): Promise<SocketTranscript> {
    const { socket, transcript } = await this.socket("read", `/apps/${app}/logs?`, {
      Since: "5s",
      Prefix: "true",
    });
    for (let attempt = 0; ; attempt++) {
      await this.call("read", "GET", `/apps/${app}/processes?`);
      const status = (await this.call("read", "GET", `/apps/${app}?`)).json<{ status: string }>().status;
      if (status === "running") break;
      expect(attempt, `${app} never reached running`).toBeLessThan(20);
    }
    socket.close();
    return await transcript;
  }
}

/** Runs a command; a refusal ends it like the CLI's exit. Returns whether it ran to the end. */
async function command(run: () => Promise<void>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (error instanceof Refused) return false;
    throw error;
  }
}

function envOf(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

/** The rack's record of the last request to `path` (websocket or not), for checking what was forwarded. */
function reachedRack(method: string, path: string, websocket = false) {
  const found = harness.rack.requests.findLast(
    (request) =>
      request.method === method && request.path.split("?")[0] === path && request.websocket === websocket,
  );
  expect(found, `${method} ${path} never reached the rack`).toBeDefined();
  return found!;
}

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

describe.each(ROLE_NAMES)("convox commands as %s", (role) => {
  let cli: CliSession;
  beforeAll(() => {
    cli = new CliSession(role, harness.tokens[role]);
  });
  beforeEach(() => harness.rack.reset());

  it("login: GET /check needs no credentials and is not audited; GET /auth names the token", async () => {
    const check = await sendCliRequest(harness.proxyUrl, null, "GET", "/check?");
    expect([check.status, check.text]).toEqual([200, "ok"]);
    ledger.checks++;
    expect((await cli.call("read", "GET", "/auth?")).json()).toEqual({ id: `${role}-token` });
  });

  it("apps and rack", async () => {
    const apps = (await cli.call("read", "GET", "/apps?")).json<Array<{ name: string }>>();
    expect(apps.map((app) => app.name)).toEqual(["myapp"]);
    expect((await cli.call("read", "GET", "/system?")).json()).toMatchObject({ name: "fake-rack" });
    expect(reachedRack("GET", "/apps").headers["user-agent"]).toBe("convox.go/3.19.0");
  });

  it("ps -a myapp", async () => {
    const processes = (await cli.call("read", "GET", "/apps/myapp/processes?")).json<Array<{ id: string }>>();
    expect(processes.map((process) => process.id)).toContain(SEEDED_PID);
    await cli.call("read", "GET", "/apps/myapp/budget?");
  });

  it("env and env get LOG_LEVEL: values masked below env:read, secrets masked for everyone", async () => {
    for (const key of [null, "LOG_LEVEL"]) {
      const [latest] = (await cli.call("read", "GET", "/apps/myapp/releases?limit=1")).json<
        Array<{ id: string }>
      >();
      const release = (await cli.call("read", "GET", `/apps/myapp/releases/${latest?.id}?`)).json<{
        env: string;
      }>();
      const env = envOf(release.env);
      expect(env.SECRET_KEY).toBe("********");
      expect(env.LOG_LEVEL).toBe(cli.may("operate") ? "info" : "********");
      if (key !== null) expect(Object.keys(env)).toContain(key);
    }
    expect(reachedRack("GET", "/apps/myapp/releases").path).toBe("/apps/myapp/releases?limit=1");
  });

  it("env set LOG_LEVEL=debug: the whole list goes up with masked values, which keep the rack's values", async () => {
    const ran = await command(async () => {
      const [latest] = (await cli.call("read", "GET", "/apps/myapp/releases?limit=1")).json<
        Array<{ id: string }>
      >();
      const shown = (await cli.call("read", "GET", `/apps/myapp/releases/${latest?.id}?`)).json<{
        env: string;
      }>();
      await cli.call("read", "GET", "/system?");
      const env: Record<string, string> = { ...envOf(shown.env), LOG_LEVEL: "debug" };
      const list = Object.keys(env)
        .sort()
        .map((key) => `${key}=${env[key]}`)
        .join("\n");
      expect(list).toContain("SECRET_KEY=********");
      const created = await cli.call("deploy", "POST", "/apps/myapp/releases?", { form: { env: list } });
      ledger.envChanges += 1;
      expect(created.text).not.toContain("k3y");
    });
    expect(ran).toBe(cli.may("deploy"));
    const newest = harness.rack.state.releases.at(-1);
    if (ran) {
      expect(envOf(newest?.env ?? "")).toEqual({
        DATABASE_URL: "postgres://app:s3cret@db.internal:5432/app",
        LOG_LEVEL: "debug",
        SECRET_KEY: "k3y",
      });
    } else {
      expect(harness.rack.state.releases).toHaveLength(1);
      expect(harness.rack.requests.some((request) => request.method === "POST")).toBe(false);
    }
  });

  it("releases, then releases promote with the wait loop", async () => {
    await cli.call("read", "GET", "/apps/myapp?");
    const releases = (await cli.call("read", "GET", "/apps/myapp/releases?")).json<Array<{ id: string }>>();
    const target = releases[0]?.id ?? "";
    const ran = await command(async () => {
      await cli.call("deploy", "POST", `/apps/myapp/releases/${target}/promote?`, {
        form: { force: "false" },
      });
      const logs = await cli.waitForRunning("myapp");
      expect(logs.output).toMatch(/Z system\/k8s\/atom release R[A-Z]+ is running\n/);
      expect(reachedRack("GET", "/apps/myapp/logs", true).headers).toMatchObject({
        since: "5s",
        prefix: "true",
      });
    });
    expect(ran).toBe(cli.may("deploy"));
  });

  it("build and deploy: tarball upload, build, build logs until EOF, polling, promote, wait", async () => {
    const tarball = createTarball({
      "convox.yml": "services:\n  web:\n    build: .\n    port: 3000\n",
      Dockerfile: "FROM node:20-slim\nCOPY . /app\n",
    });
    expect(gunzipSync(tarball).subarray(257, 262).toString()).toBe("ustar");
    const key = `tmp/${randomBytes(16).toString("hex")}.tgz`;
    const ran = await command(async () => {
      await cli.call("read", "GET", "/system?");
      const uploaded = await cli.call("deploy", "POST", `/apps/myapp/objects/${key}?`, { body: tarball });
      expect(uploaded.json()).toEqual({ url: `object://myapp/${key}` });
      expect(reachedRack("POST", `/apps/myapp/objects/${key}`)).toMatchObject({
        bodyBytes: tarball.length,
        bodySha256: sha256(tarball),
      });
      const build = (
        await cli.call("deploy", "POST", "/apps/myapp/builds?", {
          form: { description: "e2e", url: `object://myapp/${key}` },
        })
      ).json<{ id: string }>();
      const logs = await cli.socket("read", `/apps/myapp/builds/${build.id}/logs?`, {});
      const transcript = await logs.transcript;
      expect(transcript.endedWithEof).toBe(true);
      expect(transcript.output).toContain(`Build: ${build.id}`);
      let status = "running";
      let release = "";
      for (let attempt = 0; status === "running"; attempt++) {
        expect(attempt, "the build never finished").toBeLessThan(50);
        const polled = (await cli.call("read", "GET", `/apps/myapp/builds/${build.id}?`)).json<{
          status: string;
          release: string;
        }>();
        ({ status, release } = polled);
        if (status === "running") await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe("complete");
      await cli.call("deploy", "POST", `/apps/myapp/releases/${release}/promote?`, {
        form: { force: "false" },
      });
      await cli.waitForRunning("myapp");
      expect(harness.rack.state.apps.get("myapp")?.release).toBe(release);
    });
    expect(ran).toBe(cli.may("deploy"));
    if (!ran) expect(harness.rack.state.objects.size).toBe(0);
  });

  it("logs: lines emitted by the rack arrive through the gateway", async () => {
    let seen: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const { socket, transcript } = await cli.socket(
      "read",
      "/apps/myapp/logs?",
      { Follow: "true", Prefix: "true" },
      (frame) => {
        if (frame.text.includes("GET /health 200")) seen();
      },
    );
    harness.rack.emitLog("myapp", "GET /health 200 3ms");
    await arrived;
    socket.close();
    expect((await transcript).output).toMatch(/Z service\/web\/web-aaaad GET \/health 200 3ms\n/);
    expect(reachedRack("GET", "/apps/myapp/logs", true).headers).toMatchObject({
      follow: "true",
      prefix: "true",
    });
  });

  it("exec web-aaaad 'exit 3': the exit-code frame then EOF reach the client", async () => {
    const ran = await command(async () => {
      const { transcript } = await cli.socket("operate", `/apps/myapp/processes/${SEEDED_PID}/exec?`, {
        Command: "exit 3",
        Tty: "false",
      });
      expect((await transcript).frames).toEqual([
        { text: `${EXIT_FRAME_PREFIX}3\n`, binary: false, bytes: EXIT_FRAME_PREFIX.length + 2 },
        { text: "", binary: true, bytes: 0 },
      ]);
      expect(reachedRack("GET", `/apps/myapp/processes/${SEEDED_PID}/exec`, true).headers).toMatchObject({
        command: "exit 3",
        tty: "false",
      });
    });
    expect(ran).toBe(cli.may("operate"));
  });

  it("run web: start a process, wait for it, exec with Entrypoint, stop it", async () => {
    const ran = await command(async () => {
      const started = (
        await cli.call("operate", "POST", "/apps/myapp/services/web/processes?", {
          headers: { Command: "sleep 3600" },
        })
      ).json<{ id: string }>();
      const process = await cli.call("read", "GET", `/apps/myapp/processes/${started.id}?`);
      expect(process.json()).toMatchObject({ id: started.id, status: "running" });
      const { socket, transcript } = await cli.socket(
        "operate",
        `/apps/myapp/processes/${started.id}/exec?`,
        { Command: "cat", Entrypoint: "true", Tty: "false" },
      );
      socket.send("migrated\n");
      socket.send(new Uint8Array(0), { binary: true });
      const frames = (await transcript).frames;
      expect(frames.map((frame) => frame.text)).toEqual(["migrated\n", `${EXIT_FRAME_PREFIX}0\n`, ""]);
      expect(reachedRack("GET", `/apps/myapp/processes/${started.id}/exec`, true).headers.entrypoint).toBe(
        "true",
      );
      await cli.call("operate", "DELETE", `/apps/myapp/processes/${started.id}?`);
      expect(harness.rack.state.processes.some((candidate) => candidate.id === started.id)).toBe(false);
    });
    expect(ran).toBe(cli.may("operate"));
  });

  it("scale web --count 2, then the wait loop", async () => {
    const ran = await command(async () => {
      await cli.call("operate", "PUT", "/apps/myapp/services/web?", { form: { count: "2" } });
      expect(reachedRack("PUT", "/apps/myapp/services/web").bodySha256).toBe(sha256("count=2"));
      await cli.waitForRunning("myapp");
    });
    expect(ran).toBe(cli.may("operate"));
  });

  it("restart: every service in turn", async () => {
    const services = (await cli.call("read", "GET", "/apps/myapp/services?")).json<Array<{ name: string }>>();
    expect(services.map((service) => service.name)).toEqual(["web", "worker"]);
    const before = harness.rack.state.processes.map((process) => process.id);
    const ran = await command(async () => {
      for (const service of services) {
        await cli.call("operate", "POST", `/apps/myapp/services/${service.name}/restart?`);
      }
    });
    expect(ran).toBe(cli.may("operate"));
    const after = harness.rack.state.processes.map((process) => process.id);
    if (ran) expect(after.filter((id) => before.includes(id))).toEqual([]);
    else expect(after).toEqual(before);
  });

  it("rack access: minting a gateway-bypassing rack JWT is refused", async () => {
    const ran = await command(async () => {
      await cli.call("mintRackJwt", "POST", "/system/jwt/token?", { form: { role: "rw", duration: "1h" } });
    });
    expect(ran).toBe(false);
    expect(harness.rack.requests).toEqual([]);
  });
});

describe("the audit log after every command as every role", () => {
  it("holds exactly the documented number of records, by kind, and its chain verifies", async () => {
    const expected = expectedAuditRecords();
    // Websocket end records are written when the gateway sees the close, which may trail the client's.
    let records = await harness.auditRecords();
    for (let waited = 0; records.length < expected && waited < 5000; waited += 25) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      records = await harness.auditRecords();
    }
    const count = (predicate: (event: (typeof records)[number]["event"]) => boolean) =>
      records.filter((record) => predicate(record.event)).length;
    expect({
      total: records.length,
      intents: count((event) => event.action === "rack.request.intent"),
      socketStarts: count((event) => event.action === "rack.websocket.start"),
      socketEnds: count((event) => event.action === "rack.websocket.end"),
      envSets: count((event) => event.action === "rack.env.set"),
      denials: count((event) => event.decision === "deny"),
      completed: count((event) => event.action === "rack.request" && event.decision === "allow"),
    }).toEqual({
      total: expected,
      intents: ledger.mutations,
      socketStarts: ledger.sockets,
      socketEnds: ledger.sockets,
      envSets: ledger.envChanges,
      denials: ledger.denials,
      completed: ledger.reads + ledger.mutations,
    });
    expect(ledger.checks).toBe(ROLE_NAMES.length);
    const execEnds = records.filter(
      (record) => record.event.action === "rack.websocket.end" && record.event.detail?.exitCode === 3,
    );
    expect(execEnds).toHaveLength(MAY.operate.size);
    expect(await harness.verifyAudit()).toMatchObject({ ok: true, count: expected });
  });
});
