// Threat: two gateway replicas interleave their audit writes into a forked or gapped chain, hiding events.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeRack, startFakeRack } from "@rack-gateway/convox-client/testing";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/open.js";
import { basicAuth } from "./harness.js";
import { runCliCaptured, runCliProcess, type ServeProcess, startServeProcess } from "./server-process.js";

const databaseUrl = process.env.RACK_GATEWAY_TEST_DATABASE_URL;
const PROCESS_TIMEOUT_MS = 180_000;

const rackPassword = `rack/${randomBytes(9).toString("base64url")}`;
const secrets = () => ({
  APP_SECRET_KEY: randomBytes(32).toString("base64"),
  AUDIT_HMAC_SECRET: randomBytes(32).toString("hex"),
});

/** What each request of the mix should leave in the audit chain. */
interface Shot {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly token: string | null;
  readonly status: number;
  readonly events: number;
}

if (databaseUrl) {
  describe("two gateway processes on one PostgreSQL", () => {
    let rack: FakeRack;
    let admin: postgres.Sql;
    const schema = `mp_${randomBytes(6).toString("hex")}`;
    let env: Record<string, string>;

    beforeAll(async () => {
      rack = await startFakeRack({ password: rackPassword, retainObjects: false });
      admin = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
      await admin.unsafe(`CREATE SCHEMA ${schema}`);
      const schemaUrl = new URL(databaseUrl);
      schemaUrl.searchParams.set("search_path", schema);
      env = { DATABASE_URL: schemaUrl.toString(), ...secrets() };
    });
    afterAll(async () => {
      await admin?.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin?.end();
      await rack?.close();
    });

    it(
      "must still produce a single valid chain",
      async () => {
        // Started together on a fresh schema: both run the migrations at once, as replicas rolling out would.
        const serveEnv = {
          ...env,
          RACK_HOST: rack.url,
          RACK_TOKEN: rackPassword,
          HOST: "127.0.0.1",
          PORT: "0",
          AUTH_FAILURE_LIMIT: "1000",
        };
        const servers: ServeProcess[] = await Promise.all([
          startServeProcess(serveEnv, PROCESS_TIMEOUT_MS),
          startServeProcess(serveEnv, PROCESS_TIMEOUT_MS),
        ]);
        const created = [];
        for (const role of ["viewer", "deployer"]) {
          // One at a time: runCliCaptured captures this process's stdout.
          created.push(
            await runCliCaptured(["tokens", "create", "--name", `mp-${role}`, "--role", role], env),
          );
        }
        for (const run of created) expect(run.code, run.stderr).toBe(0);
        const [viewer, deployer] = created.map((run) => run.stdout.trim()) as [string, string];
        let requestIds: string[] = [];
        let expectedEvents = created.length;
        try {
          const mix: Shot[] = [];
          for (let index = 0; index < 200; index++) {
            const kind = index % 5;
            if (kind === 0 || kind === 1)
              mix.push({ method: "GET", path: "/apps", token: viewer, status: 200, events: 1 });
            else if (kind === 2)
              mix.push({ method: "GET", path: "/apps/myapp", token: deployer, status: 200, events: 1 });
            else if (kind === 3)
              mix.push({
                method: "POST",
                path: `/apps/myapp/objects/tmp/${index}.tgz`,
                token: deployer,
                status: 200,
                events: 2, // intent before forwarding + completion
              });
            else
              mix.push({
                method: "POST",
                path: `/apps/myapp/objects/tmp/${index}.tgz`,
                token: index % 10 === 4 ? viewer : null,
                status: index % 10 === 4 ? 403 : 401,
                events: 1, // the refusal
              });
          }
          const responses = await Promise.all(
            mix.map(async (shot, index) => {
              const server = servers[index % 2] as ServeProcess;
              const response = await fetch(`${server.url}/api/v1/rack-proxy${shot.path}`, {
                method: shot.method,
                headers: {
                  ...(shot.token === null ? {} : { Authorization: basicAuth(shot.token) }),
                  ...(shot.method === "POST" ? { "Content-Type": "application/octet-stream" } : {}),
                },
                ...(shot.method === "POST" ? { body: randomBytes(2048) } : {}),
              });
              await response.arrayBuffer();
              return { status: response.status, requestId: response.headers.get("x-request-id") ?? "" };
            }),
          );
          expect(responses.map((response) => response.status)).toEqual(mix.map((shot) => shot.status));
          expectedEvents += mix.reduce((sum, shot) => sum + shot.events, 0);
          requestIds = responses.map((response) => response.requestId);
          expect(new Set(requestIds).size).toBe(200);
          expect(rack.requests.filter((request) => request.method === "POST")).toHaveLength(40);
        } finally {
          const exits = await Promise.all(servers.map((server) => server.stop("SIGTERM")));
          expect(exits).toEqual([
            { code: 0, signal: null },
            { code: 0, signal: null },
          ]);
        }

        const verify = await runCliCaptured(["audit", "verify"], env);
        expect(verify.code, verify.stdout).toBe(0);
        expect(verify.stdout).toMatch(
          new RegExp(
            `^ok: ${expectedEvents} events, chain intact \\(head seq ${expectedEvents}, hash [0-9a-f]{64}\\)`,
          ),
        );

        // Gapless seq 1..N, and every request of both processes is in it.
        const database = await openDatabase({ databaseUrl: env.DATABASE_URL ?? "", maxConnections: 1 });
        try {
          const records = await database.stores.audit.list({ limit: 10_000 });
          expect(records.map((record) => record.seq)).toEqual(
            Array.from({ length: expectedEvents }, (_, index) => index + 1),
          );
          const audited = new Set(records.map((record) => record.event.requestId));
          expect(requestIds.filter((id) => !audited.has(id))).toEqual([]);
          const intents = records.filter((record) => record.event.action === "rack.request.intent");
          expect(intents).toHaveLength(40);
        } finally {
          await database.close();
        }
      },
      PROCESS_TIMEOUT_MS,
    );
  });
} else {
  // Without PostgreSQL the gateway keeps its audit chain in embedded PGlite, which has no cross-process
  // locking: a second process on the same data directory would fork (or corrupt) the chain. What keeps the
  // embedded chain single is that only one process may open a data directory, so that is what we prove here.
  describe("two gateway processes on one embedded (PGlite) data directory", () => {
    let rack: FakeRack;
    let dataDir: string;

    beforeAll(async () => {
      rack = await startFakeRack({ password: rackPassword });
      dataDir = mkdtempSync(join(tmpdir(), "rgw-mp-"));
    });
    afterAll(async () => {
      await rack?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it(
      "the second serve refuses to start (exit 75) and the first one's chain stays single and valid",
      async () => {
        const env = {
          RACK_GATEWAY_DATA_DIR: dataDir,
          RACK_HOST: rack.url,
          RACK_TOKEN: rackPassword,
          HOST: "127.0.0.1",
          PORT: "0",
          ...secrets(),
        };
        const created = await runCliCaptured(["tokens", "create", "--name", "mp", "--role", "viewer"], env);
        expect(created.code, created.stderr).toBe(0);
        const first = await startServeProcess(env, PROCESS_TIMEOUT_MS);
        try {
          const second = await runCliProcess(["serve"], env, 60_000);
          expect(second.signal).toBeNull();
          expect(second.code).toBe(75);
          expect(second.stderr).toContain(`is in use by rack-gateway-server (pid ${first.pid}`);
          expect(second.stderr).not.toContain("listening");

          const response = await fetch(`${first.url}/api/v1/rack-proxy/apps`, {
            headers: { Authorization: basicAuth(created.stdout.trim()) },
          });
          expect(response.status).toBe(200);
        } finally {
          expect(await first.stop("SIGTERM")).toEqual({ code: 0, signal: null });
        }
        const verify = await runCliCaptured(["audit", "verify"], env);
        expect(verify.code, verify.stdout).toBe(0);
        expect(verify.stdout).toMatch(/^ok: 2 events, chain intact \(head seq 2,/);
      },
      PROCESS_TIMEOUT_MS,
    );
  });
}
