// Threat: a deployer's `convox env set` silently reverts a secret an admin rotated in a not-yet-promoted release.
//
// `convox env set` reads the env of the *latest* release (`GET /apps/A/releases?limit=1`) and posts the whole
// list back with secrets still masked. A masked value must therefore keep the value of that same latest release;
// keeping the promoted release's value instead would write an old secret back without secret:set and without an
// audit event for the secret.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendCliRequest } from "./convox-cli.js";
import { type Harness, startHarness } from "./harness.js";

/** `convox env set K=V` as the CLI does it: read the latest release, change one key, post the whole list. */
async function envSet(harness: Harness, token: string, key: string, value: string) {
  const listed = await sendCliRequest(harness.proxyUrl, token, "GET", "/apps/myapp/releases?limit=1");
  const [latest] = listed.json<Array<{ id: string }>>();
  const release = await sendCliRequest(harness.proxyUrl, token, "GET", `/apps/myapp/releases/${latest?.id}?`);
  const env = new Map(
    release
      .json<{ env: string }>()
      .env.split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
  );
  env.set(key, value);
  const list = [...env.keys()]
    .sort()
    .map((name) => `${name}=${env.get(name)}`)
    .join("\n");
  return sendCliRequest(harness.proxyUrl, token, "POST", "/apps/myapp/releases?", { form: { env: list } });
}

describe("env set merges masked values with the release the CLI read", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.rack.reset());

  const latestEnv = () => harness.rack.state.releases.at(-1)?.env.split("\n") ?? [];

  it("keeps the secret of the latest, unpromoted release", async () => {
    const rotated = await envSet(harness, harness.tokens.admin, "SECRET_KEY", "r0tated");
    expect(rotated.status).toBe(200);
    expect(latestEnv()).toContain("SECRET_KEY=r0tated");
    expect(harness.rack.state.apps.get("myapp")?.release).toBe(harness.rack.state.releases[0]?.id);

    const before = (await harness.auditRecords()).length;
    const changed = await envSet(harness, harness.tokens.deployer, "LOG_LEVEL", "debug");
    expect(changed.status).toBe(200);
    expect(latestEnv()).toEqual([
      "DATABASE_URL=postgres://app:s3cret@db.internal:5432/app",
      "LOG_LEVEL=debug",
      "SECRET_KEY=r0tated",
    ]);
    const envEvents = (await harness.auditRecords())
      .slice(before)
      .filter((record) => record.event.action.startsWith("rack.env."));
    expect(envEvents.map((record) => record.event.detail)).toEqual([
      expect.objectContaining({ change: "changed", classification: "plain" }),
    ]);
  });

  it("still refuses a deployer who changes the secret itself", async () => {
    const response = await envSet(harness, harness.tokens.deployer, "SECRET_KEY", "mine");
    expect(response.status).toBe(403);
    expect(latestEnv()).toContain("SECRET_KEY=k3y");
  });
});
