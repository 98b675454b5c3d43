// Threat: someone with access to the gateway's data directory edits a stored audit row to hide what they did.
//
// The operator's `audit verify` runs in-process against a gateway that kept its audit log in an embedded PGlite
// data directory: it must count exactly the records the calls made, then fail at the first edited record.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type FakeRack, startFakeRack } from "@rack-gateway/convox-client/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken, displayPrefixOf, hashApiToken } from "../src/auth/api-token.js";
import { runServerCli } from "../src/cli/server-cli.js";
import { loadConfig } from "../src/config/config.js";
import { PGLITE_DIR_NAME } from "../src/db/open.js";
import { startGateway } from "../src/main.js";
import { sendCliRequest } from "./convox-cli.js";

/** Runs the operator CLI in-process, capturing what it prints on stdout. */
async function runCaptured(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string }> {
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await runServerCli(argv, env);
    return { code, stdout: printed.join("") };
  } finally {
    process.stdout.write = write;
  }
}

describe("audit verify against a PGlite data directory", () => {
  let dataDir: string;
  let rack: FakeRack;
  let env: Record<string, string>;
  /** Records the calls below must leave: read 1, mutation 2, denial 1, GET /check none. */
  let expectedRecords = 0;
  /** The audit lines the gateway wrote for log shipping: what an operator has outside the database. */
  const shipped: { seq: number; hash: string }[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "rgw-audit-verify-"));
    const rackPassword = randomBytes(12).toString("base64url");
    rack = await startFakeRack({ password: rackPassword });
    env = {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      RACK_HOST: rack.url,
      RACK_TOKEN: rackPassword,
      APP_SECRET_KEY: randomBytes(32).toString("base64"),
      AUDIT_HMAC_SECRET: randomBytes(32).toString("hex"),
      AUDIT_LOG_STDOUT: "false",
      AUDIT_CHECKPOINT_EVERY: "2",
      RACK_GATEWAY_DATA_DIR: dataDir,
    };
    const gateway = await startGateway(loadConfig(env), {
      logError: () => {},
      writeLine: (line) => shipped.push(JSON.parse(line)),
    });
    try {
      const token = createApiToken((count) => randomBytes(count));
      await gateway.database.stores.tokens.create({
        name: "ops-token",
        tokenHash: hashApiToken(token),
        displayPrefix: displayPrefixOf(token),
        grants: [{ role: "ops" }],
        createdBy: "test",
        createdAt: new Date(),
        expiresAt: null,
      });
      const proxyUrl = `${gateway.url}/api/v1/rack-proxy`;
      expect((await sendCliRequest(proxyUrl, null, "GET", "/check?")).status).toBe(200);
      expect((await sendCliRequest(proxyUrl, token, "GET", "/apps?")).status).toBe(200);
      expectedRecords += 1;
      const scale = await sendCliRequest(proxyUrl, token, "PUT", "/apps/myapp/services/web?", {
        form: { count: "2" },
      });
      expect(scale.status).toBe(200);
      expectedRecords += 2;
      const promote = await sendCliRequest(
        proxyUrl,
        token,
        "POST",
        "/apps/myapp/releases/RAAAAAAAAAC/promote?",
        {
          form: { force: "false" },
        },
      );
      expect(promote.status).toBe(403);
      expectedRecords += 1;
      expect((await sendCliRequest(proxyUrl, token, "GET", "/apps/myapp/processes?")).status).toBe(200);
      expectedRecords += 1;
    } finally {
      await gateway.close();
    }
  });
  afterAll(async () => {
    await rack.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints the count of an intact chain and exits 0", async () => {
    const { code, stdout } = await runCaptured(["audit", "verify"], env);
    expect(stdout).toMatch(
      new RegExp(
        `^ok: ${expectedRecords} events, chain intact \\(head seq ${expectedRecords}, hash [0-9a-f]{64}\\), [1-9]\\d* signed checkpoint\\(s\\) verified\\n$`,
      ),
    );
    expect(code).toBe(0);
  });

  it("passes plain verify after the newest records and checkpoints are cut, but not against the shipped head", async () => {
    const shippedHead = shipped.at(-1);
    expect(shippedHead?.seq).toBe(expectedRecords);
    const database = await PGlite.create({ dataDir: join(dataDir, PGLITE_DIR_NAME) });
    try {
      await database.query("DELETE FROM audit_records WHERE seq > 3");
      await database.query("DELETE FROM audit_checkpoints WHERE tree_size > 3");
    } finally {
      await database.close();
    }
    // Without an outside reference the cut is seamless: the remaining chain and checkpoints are all genuine.
    expect((await runCaptured(["audit", "verify"], env)).code).toBe(0);

    const { code, stdout } = await runCaptured(
      ["audit", "verify", "--expect-head", `${shippedHead?.seq}:${shippedHead?.hash}`],
      env,
    );
    expect(stdout).toBe(
      `FAILED at index 3 (seq 4): TRUNCATED: the expected head is seq ${expectedRecords} but the chain ends at seq 3: records 4..${expectedRecords} are missing\n`,
    );
    expect(code).toBe(1);

    const atThree = shipped.find((line) => line.seq === 3);
    const reached = await runCaptured(["audit", "verify", "--expect-head", `3:${atThree?.hash}`], env);
    expect(reached.stdout).toMatch(/, expected head seq 3 reached unchanged\n$/);
    expect((await runCaptured(["audit", "verify", "--expect-head", "3:xyz"], env)).code).toBe(2);
  });

  it("exits 1 and names the first edited record", async () => {
    // The scale call's completion record (seq 3): its status is changed from 200 to 500.
    const database = await PGlite.create({ dataDir: join(dataDir, PGLITE_DIR_NAME) });
    try {
      const edited = await database.query(
        `UPDATE audit_records SET event_json = replace(event_json, '"status":200', '"status":500')
          WHERE seq = 3 AND action = 'rack.request'`,
      );
      expect(edited.affectedRows).toBe(1);
    } finally {
      await database.close();
    }
    const { code, stdout } = await runCaptured(["audit", "verify"], env);
    expect(stdout).toMatch(/^FAILED at index 2 \(seq 3\): [A-Z_]+: .+\n$/);
    expect(code).toBe(1);
  });
});
