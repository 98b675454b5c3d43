// Threat: app secrets leak through release JSON or the audit trail, or someone below the needed role changes protected or secret env vars through `convox env set`.
import type { AuditEvent } from "@rack-gateway/audit-chain";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";
import { allAuditText, eventsOf } from "./proxy-helpers.js";

const MASK = "********";
const DATABASE_URL = "postgres://app:s3cret@db.internal:5432/app";
const SECRET_KEY = "k3y";
const NEW_SECRET = "n3w-S3cr3t-value-4f7a9c";

interface Release {
  id: string;
  env: string;
}

function envOf(release: Release | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of (release?.env ?? "").split("\n")) {
    const separator = line.indexOf("=");
    if (separator > 0) env[line.slice(0, separator)] = line.slice(separator + 1);
  }
  return env;
}

describe("env values and secrets through the rack proxy", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { PROTECTED_ENV_VARS: "DATABASE_URL" } });
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.rack.reset());

  const currentReleaseId = () => harness.rack.state.apps.get("myapp")?.release ?? "";
  const latestRackRelease = () =>
    harness.rack.state.releases.filter((release) => release.app === "myapp").at(-1);
  const postedReleases = () =>
    harness.rack.requests.filter(
      (request) => request.method === "POST" && request.path.startsWith("/apps/myapp/releases"),
    );
  const setEnv = (role: keyof Harness["tokens"], env: string, headers: Record<string, string> = {}) =>
    harness.rackRequest(harness.tokens[role], "POST", "/apps/myapp/releases", { form: { env }, headers });
  const envEvents = (events: AuditEvent[]) => events.filter((event) => event.action.startsWith("rack.env."));

  const visible: ReadonlyArray<[keyof Harness["tokens"], Record<string, string>]> = [
    ["viewer", { DATABASE_URL: MASK, LOG_LEVEL: MASK, SECRET_KEY: MASK }],
    ["ops", { DATABASE_URL: MASK, LOG_LEVEL: "info", SECRET_KEY: MASK }],
    ["deployer", { DATABASE_URL: MASK, LOG_LEVEL: "info", SECRET_KEY: MASK }],
    ["admin", { DATABASE_URL: MASK, LOG_LEVEL: "info", SECRET_KEY: MASK }],
  ];

  it.each(visible)(
    "shows a %s the release env of the list and of one release masked accordingly",
    async (role, expected) => {
      const list = await harness.rackRequest(harness.tokens[role], "GET", "/apps/myapp/releases?limit=1");
      expect(list.status).toBe(200);
      const [first] = list.json<Release[]>();
      expect(envOf(first)).toEqual(expected);
      const one = await harness.rackRequest(
        harness.tokens[role],
        "GET",
        `/apps/myapp/releases/${currentReleaseId()}?`,
      );
      expect(one.status).toBe(200);
      expect(envOf(one.json<Release>())).toEqual(expected);
      expect(one.text).not.toContain(DATABASE_URL);
      expect(one.headers.get("content-length")).toBe(String(Buffer.byteLength(one.text)));
    },
  );

  it("reveals secret (never protected) values to an admin who asks, and audits the reveal", async () => {
    const response = await harness.rackRequest(
      harness.tokens.admin,
      "GET",
      `/apps/myapp/releases/${currentReleaseId()}?`,
      {
        headers: { "Rack-Gateway-Reveal-Secrets": "true" },
      },
    );
    expect(response.status).toBe(200);
    expect(envOf(response.json<Release>())).toEqual({ DATABASE_URL: MASK, LOG_LEVEL: "info", SECRET_KEY });
    const events = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(events.map((event) => event.action)).toEqual(
      expect.arrayContaining(["rack.secret.reveal", "rack.request"]),
    );
    expect(events.find((event) => event.action === "rack.secret.reveal")).toMatchObject({
      decision: "allow",
      actor: { type: "token", name: "admin-token" },
      app: "myapp",
    });
  });

  it("does not reveal secrets to ops or deployers who ask (no secret:read), and records no reveal", async () => {
    for (const role of ["ops", "deployer"] as const) {
      const response = await harness.rackRequest(harness.tokens[role], "GET", "/apps/myapp/releases?", {
        headers: { "Rack-Gateway-Reveal-Secrets": "true" },
      });
      expect(response.status).toBe(200);
      expect(envOf(response.json<Release[]>()[0])).toEqual({
        DATABASE_URL: MASK,
        LOG_LEVEL: "info",
        SECRET_KEY: MASK,
      });
      const events = await eventsOf(harness, response.headers.get("x-request-id"));
      expect(events.some((event) => event.action === "rack.secret.reveal")).toBe(false);
    }
  });

  it("keeps the current value for masked entries, changes plain keys for a deployer, and masks the answer", async () => {
    const response = await setEnv("deployer", `DATABASE_URL=${MASK}\nLOG_LEVEL=debug\nSECRET_KEY=${MASK}`);
    expect(response.status).toBe(200);
    expect(envOf(response.json<Release>())).toEqual({
      DATABASE_URL: MASK,
      LOG_LEVEL: "debug",
      SECRET_KEY: MASK,
    });
    expect(envOf(latestRackRelease())).toEqual({ DATABASE_URL, LOG_LEVEL: "debug", SECRET_KEY });
    const changes = envEvents(await eventsOf(harness, response.headers.get("x-request-id")));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      action: "rack.env.set",
      decision: "allow",
      actor: { type: "token", name: "deployer-token" },
      detail: { variable: "LOG_LEVEL", change: "changed", classification: "plain", value: "debug" },
    });
  });

  it("records no env change when everything submitted is unchanged or masked", async () => {
    const response = await setEnv("deployer", `DATABASE_URL=${MASK}\nLOG_LEVEL=info\nSECRET_KEY=${MASK}`);
    expect(response.status).toBe(200);
    expect(envEvents(await eventsOf(harness, response.headers.get("x-request-id")))).toEqual([]);
    expect(envOf(latestRackRelease())).toEqual({ DATABASE_URL, LOG_LEVEL: "info", SECRET_KEY });
  });

  it("audits one event per added, changed and removed key, with secret values redacted everywhere", async () => {
    const response = await setEnv("admin", `DATABASE_URL=${MASK}\nSECRET_KEY=${NEW_SECRET}\nNEW_FLAG=on`);
    expect(response.status).toBe(200);
    expect(envOf(response.json<Release>())).toEqual({ DATABASE_URL: MASK, SECRET_KEY: MASK, NEW_FLAG: "on" });
    expect(envOf(latestRackRelease())).toEqual({ DATABASE_URL, SECRET_KEY: NEW_SECRET, NEW_FLAG: "on" });

    const changes = envEvents(await eventsOf(harness, response.headers.get("x-request-id")));
    const byVariable = Object.fromEntries(changes.map((event) => [event.detail?.variable, event]));
    expect(changes).toHaveLength(3);
    expect(byVariable.SECRET_KEY).toMatchObject({
      action: "rack.env.set",
      detail: { change: "changed", classification: "secret", value: "[REDACTED]" },
    });
    expect(byVariable.NEW_FLAG).toMatchObject({
      action: "rack.env.set",
      detail: { change: "added", classification: "plain", value: "on" },
    });
    expect(byVariable.LOG_LEVEL).toMatchObject({ action: "rack.env.unset", detail: { change: "removed" } });
    expect(byVariable.LOG_LEVEL?.detail).not.toHaveProperty("value");

    const audit = await allAuditText(harness);
    expect(audit).not.toContain(NEW_SECRET);
    expect(audit).not.toContain(DATABASE_URL);
    expect(audit).not.toContain("s3cret");
  });

  it("refuses to change or remove a protected key (403 PROTECTED_ENV_VAR) and posts nothing", async () => {
    const attempts = [
      `DATABASE_URL=postgres://evil@attacker.example/db\nLOG_LEVEL=info\nSECRET_KEY=${MASK}`,
      `LOG_LEVEL=info\nSECRET_KEY=${MASK}`,
    ];
    for (const env of attempts) {
      const response = await setEnv("admin", env);
      expect(response.status).toBe(403);
      expect(response.json()).toMatchObject({ code: "PROTECTED_ENV_VAR" });
      const events = await eventsOf(harness, response.headers.get("x-request-id"));
      expect(events).toContainEqual(
        expect.objectContaining({ action: "rack.request", decision: "deny", status: 403 }),
      );
      expect(envEvents(events)).toEqual([]);
    }
    expect(postedReleases()).toEqual([]);
    expect(await allAuditText(harness)).not.toContain("attacker.example");
  });

  it("refuses a deployer changing a secret key (needs convox:secret:set) and posts nothing", async () => {
    const response = await setEnv(
      "deployer",
      `DATABASE_URL=${MASK}\nLOG_LEVEL=info\nSECRET_KEY=${NEW_SECRET}`,
    );
    expect(response.status).toBe(403);
    expect(response.json<{ error: string; code: string }>()).toMatchObject({ code: "FORBIDDEN" });
    expect(response.json<{ error: string }>().error).toContain("convox:secret:set");
    expect(postedReleases()).toEqual([]);
    expect(await allAuditText(harness)).not.toContain(NEW_SECRET);
  });

  it("refuses a masked value for a key that does not exist, and malformed env lines, with 400", async () => {
    for (const env of [
      `DATABASE_URL=${MASK}\nLOG_LEVEL=info\nSECRET_KEY=${MASK}\nAPI_TOKEN=${MASK}`,
      `DATABASE_URL=${MASK}\nLOG_LEVEL\nSECRET_KEY=${MASK}`,
      `DATABASE_URL=${MASK}\n=orphan\nSECRET_KEY=${MASK}`,
    ]) {
      const response = await setEnv("admin", env);
      expect(response.status, env).toBe(400);
      expect(response.json(), env).toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(postedReleases()).toEqual([]);
  });
});
