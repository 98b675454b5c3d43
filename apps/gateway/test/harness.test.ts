import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

describe("gateway harness", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it("proxies GET /apps for a viewer and audits it", async () => {
    const response = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(response.status).toBe(200);
    expect(response.json<Array<{ name: string }>>().map((app) => app.name)).toContain("myapp");
    const records = await harness.auditRecords();
    const last = records.at(-1)?.event;
    expect(last).toMatchObject({
      action: "rack.request",
      decision: "allow",
      status: 200,
      permission: "convox:app:list",
    });
    expect(last?.actor).toMatchObject({ type: "token", name: "viewer-token" });
    expect((await harness.verifyAudit()).ok).toBe(true);
  });
});
