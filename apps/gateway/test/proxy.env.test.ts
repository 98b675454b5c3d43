// Threat: app secrets leak through release JSON or the audit trail, or someone below the needed role changes protected or secret env vars through `convox env set`.
import { createHash } from "node:crypto";
import type { AuditEvent } from "@rack-gateway/audit-chain";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";
import { allAuditText, eventsOf } from "./proxy-helpers.js";

const MASK = "********";
const DATABASE_URL = "postgres://app:s3cret@db.internal:5432/app";
const SECRET_KEY = "k3y";
const NEW_SECRET = "n3w-S3cr3t-value-4f7a9c";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

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

  // The rack reads `env` from the query string and from multipart bodies as well as urlencoded ones, and trims the
  // whitespace around a key: each of these would have reached it without the env policy having seen it.
  describe("env the policy would not see", () => {
    const EVIL = "postgres://evil@attacker.example/db";
    const smuggledEnv = `DATABASE_URL=${EVIL}\nLOG_LEVEL=info\nSECRET_KEY=pwned-by-deployer`;

    it("refuses env (or any parameter) in the query string with 400, with or without a body, and posts nothing", async () => {
      const query = `?env=${encodeURIComponent(smuggledEnv)}`;
      const withForm = await harness.rackRequest(
        harness.tokens.deployer,
        "POST",
        `/apps/myapp/releases${query}`,
        {
          form: { description: "innocent" },
        },
      );
      const bodyless = await harness.rackRequest(
        harness.tokens.deployer,
        "POST",
        `/apps/myapp/releases${query}`,
        {
          headers: { "Content-Type": "application/octet-stream" },
        },
      );
      const encodedName = await harness.rackRequest(
        harness.tokens.admin,
        "POST",
        `/apps/myapp/releases?%65nv=${encodeURIComponent(smuggledEnv)}`,
        { form: { env: `DATABASE_URL=${MASK}\nLOG_LEVEL=info\nSECRET_KEY=${MASK}` } },
      );
      for (const response of [withForm, bodyless, encodedName]) {
        expect(response.status).toBe(400);
        expect(response.json<{ error: string; code: string }>()).toMatchObject({ code: "BAD_REQUEST" });
        const events = await eventsOf(harness, response.headers.get("x-request-id"));
        expect(events).toContainEqual(
          expect.objectContaining({ action: "rack.request", decision: "deny", status: 400 }),
        );
      }
      expect(postedReleases()).toEqual([]);
      expect(envOf(latestRackRelease()).DATABASE_URL).toBe(DATABASE_URL);
    });

    it("refuses a multipart (or any non-urlencoded) body with 415 and posts nothing", async () => {
      const boundary = "XyZzY";
      const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="env"\r\n\r\n${smuggledEnv}\r\n--${boundary}--\r\n`;
      const responses = [
        await harness.rackRequest(harness.tokens.deployer, "POST", "/apps/myapp/releases", {
          body: multipart,
          headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
        }),
        await harness.rackRequest(harness.tokens.deployer, "POST", "/apps/myapp/releases", {
          body: `env=${encodeURIComponent(smuggledEnv)}`,
          headers: { "Content-Type": "text/plain" },
        }),
      ];
      for (const response of responses) {
        expect(response.status).toBe(415);
        expect(response.json()).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
      }
      expect(postedReleases()).toEqual([]);
    });

    it("still creates a release from an empty, bodyless POST (nothing for the policy to check)", async () => {
      const response = await harness.rackRequest(harness.tokens.deployer, "POST", "/apps/myapp/releases?");
      expect(response.status).toBe(200);
      expect(postedReleases()).toHaveLength(1);
      expect(envOf(latestRackRelease()).DATABASE_URL).toBe(DATABASE_URL);
    });

    it.each([
      ["a leading space", ` DATABASE_URL=${EVIL}`],
      ["a trailing tab", `DATABASE_URL\t=${EVIL}`],
      ["a carriage return before =", `DATABASE_URL\r=${EVIL}`],
      ["a no-break space", `\u00a0DATABASE_URL=${EVIL}`],
      ["U+0085 (Go trims it, JavaScript does not)", `DATABASE_URL\u0085=${EVIL}`],
    ])("reads a protected key written with %s the rack's way and refuses it (403)", async (_how, line) => {
      const response = await setEnv(
        "admin",
        `DATABASE_URL=${MASK}\nLOG_LEVEL=info\nSECRET_KEY=${MASK}\n${line}`,
      );
      expect(response.status).toBe(403);
      expect(response.json()).toMatchObject({ code: "PROTECTED_ENV_VAR" });
      expect(postedReleases()).toEqual([]);
    });

    it("forwards keys the way the rack will store them, and audits them under that name", async () => {
      const response = await setEnv("admin", `DATABASE_URL=${MASK}\n  LOG_LEVEL =debug\nSECRET_KEY=${MASK}`);
      expect(response.status).toBe(200);
      expect(envOf(latestRackRelease())).toEqual({ DATABASE_URL, LOG_LEVEL: "debug", SECRET_KEY });
      const events = envEvents(await eventsOf(harness, response.headers.get("x-request-id")));
      expect(events).toEqual([
        expect.objectContaining({
          action: "rack.env.set",
          detail: expect.objectContaining({ variable: "LOG_LEVEL" }),
        }),
      ]);
    });

    it("forwards its own serialization of the form it checked, not the client's bytes", async () => {
      // `%zz` is a malformed escape: URLSearchParams keeps it as text, Go's parser drops the whole pair — two
      // parsers that disagree on a body would disagree on an `env` hidden in it.
      for (const sent of [
        "description=%zz",
        `description=%zz&env=${encodeURIComponent(`DATABASE_URL=${MASK}\nLOG_LEVEL=warn\nSECRET_KEY=${MASK}`)}`,
      ]) {
        harness.rack.reset();
        const response = await harness.rackRequest(harness.tokens.admin, "POST", "/apps/myapp/releases", {
          body: sent,
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        });
        expect(response.status).toBe(200);
        const checked = new URLSearchParams(sent);
        if (checked.has("env"))
          checked.set("env", `DATABASE_URL=${DATABASE_URL}\nLOG_LEVEL=warn\nSECRET_KEY=${SECRET_KEY}`);
        const [posted] = postedReleases();
        expect(posted?.bodySha256).toBe(sha256(checked.toString()));
        expect(posted?.bodySha256).not.toBe(sha256(sent));
      }
    });
  });
});
