// Threat: the rack's answers hand out what only admins may see — its own password (which bypasses the gateway altogether), a database resource's password, a registry's password, a webhook URL.
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";
import { allAuditText, eventsOf, startLoopbackServer } from "./proxy-helpers.js";

const RACK_PASSWORD = "rack-secret-9f8e7d6c5b4a";
const DB_PASSWORD = "hunter2-db-password";
const REGISTRY_PASSWORD = "hunter2-registry-password";
const HOOK_SECRET = "T000/B000/hunter2-hook";

/** A rack that answers the way convox does on these routes, secrets included. */
function rackAnswer(req: IncomingMessage, res: ServerResponse): unknown {
  const json = (value: unknown) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(value));
  };
  const path = (req.url ?? "").split("?")[0];
  if (path === "/apps") {
    // An echo nobody foresaw, split over two writes so that the password straddles them.
    res.writeHead(200, { "Content-Type": "application/json" });
    const text = JSON.stringify([
      { name: "myapp", status: "running", note: `RACK_URL=https://convox:${RACK_PASSWORD}@api` },
    ]);
    const cut = text.indexOf(RACK_PASSWORD) + 5;
    res.write(text.slice(0, cut));
    setTimeout(() => res.end(text.slice(cut)), 10);
    return;
  }
  if (path === "/apps/myapp/resources") {
    return json([
      {
        name: "database",
        type: "postgres",
        status: "running",
        url: `postgres://app:${DB_PASSWORD}@db:5432/app`,
      },
    ]);
  }
  if (path === "/registries")
    return json([{ server: "quay.io", username: "bot", password: REGISTRY_PASSWORD }]);
  if (path === "/resources") {
    return json([
      {
        name: "slack",
        type: "webhook",
        url: `https://hooks.slack.com/${HOOK_SECRET}`,
        parameters: { Url: `https://hooks.slack.com/${HOOK_SECRET}` },
      },
    ]);
  }
  if (path === "/apps/myapp/releases")
    return json([{ id: "R1", app: "myapp", env: `LOG_LEVEL=info\nNOTE=${RACK_PASSWORD}` }]);
  json({});
}

describe("secrets in the rack's answers", () => {
  let rack: Awaited<ReturnType<typeof startLoopbackServer>>;
  let harness: Harness;
  beforeAll(async () => {
    rack = await startLoopbackServer(rackAnswer);
    harness = await startHarness({ env: { RACK_HOST: rack.url, RACK_TOKEN: RACK_PASSWORD } });
  });
  afterAll(async () => {
    await harness.close();
    await rack.close();
  });

  it("overwrites the rack's own password wherever an answer carries it, keeps the length, and audits it", async () => {
    const response = await harness.rackRequest(harness.tokens.admin, "GET", "/apps?");
    expect(response.status).toBe(200);
    expect(response.text).not.toContain(RACK_PASSWORD);
    expect(response.text).toContain(`https://convox:${"*".repeat(RACK_PASSWORD.length)}@api`);
    const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(event?.detail, JSON.stringify(event)).toMatchObject({ rackLoginEchoesOverwritten: 1 });
  });

  it("overwrites it in masked release documents too (even for an admin who may read every value)", async () => {
    const response = await harness.rackRequest(harness.tokens.admin, "GET", "/apps/myapp/releases", {
      headers: { "Rack-Gateway-Reveal-Secrets": "true" },
    });
    expect(response.status).toBe(200);
    expect(response.text).not.toContain(RACK_PASSWORD);
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(response.text)));
  });

  it.each(["viewer", "ops", "deployer", "cicd"] as const)(
    "masks database, registry and webhook credentials for a %s, keeping the rest",
    async (role) => {
      const token = harness.tokens[role];
      const resources = await harness.rackRequest(token, "GET", "/apps/myapp/resources?");
      expect(resources.status).toBe(200);
      expect(resources.text).not.toContain(DB_PASSWORD);
      expect(resources.json<Array<{ url: string }>>()[0]?.url).toMatch(/^postgres:\/\/app:.+@db:5432\/app$/);
      const registries = await harness.rackRequest(token, "GET", "/registries?");
      expect(registries.text).not.toContain(REGISTRY_PASSWORD);
      expect(registries.json<Array<{ username: string }>>()[0]?.username).toBe("bot");
      const webhooks = await harness.rackRequest(token, "GET", "/resources?");
      if (webhooks.status === 200) expect(webhooks.text).not.toContain("hunter2-hook");
      expect(await allAuditText(harness)).not.toContain("hunter2");
      const [event] = await eventsOf(harness, resources.headers.get("x-request-id"));
      expect(event?.detail).toEqual({ masking: "resource and registry logins" });
    },
  );

  it("shows an admin (convox:secret:read) the credentials as the rack sent them", async () => {
    const resources = await harness.rackRequest(harness.tokens.admin, "GET", "/apps/myapp/resources?");
    expect(resources.text).toContain(DB_PASSWORD);
    const registries = await harness.rackRequest(harness.tokens.admin, "GET", "/registries?");
    expect(registries.text).toContain(REGISTRY_PASSWORD);
  });

  it("shows an admin scoped to the app that app's resource credentials; rack-wide lists stay out of its reach", async () => {
    const scopedAdmin = await harness.createToken([{ role: "admin", apps: ["myapp"] }], {
      name: "scoped-admin",
    });
    const resources = await harness.rackRequest(scopedAdmin, "GET", "/apps/myapp/resources?");
    expect(resources.status).toBe(200);
    expect(resources.text).toContain(DB_PASSWORD);
    expect((await harness.rackRequest(scopedAdmin, "GET", "/registries?")).status).toBe(403);
  });
});
