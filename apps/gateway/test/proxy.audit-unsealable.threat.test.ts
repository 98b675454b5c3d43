// Threat: an unauthenticated client sends text that cannot be sealed (half a surrogate pair after clipping, a lone surrogate in a header), its own deny event vanishes and the audit log turns unhealthy, so real users get 503.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";
import { eventsOf } from "./proxy-helpers.js";

// 198 ASCII letters then an emoji: clipping the app name to 200 UTF-16 units by `slice` keeps only its high half.
const SPLIT_EMOJI_APP = `${"a".repeat(198)}%F0%9F%98%80bbbb`;

describe("client text that cannot be sealed as it is", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { AUTH_FAILURE_LIMIT: "100000" } });
  });
  afterAll(() => harness.close());

  const expectHealthyAndMutationsWork = async () => {
    await harness.gateway.deps.audit.flush();
    expect(harness.gateway.deps.audit.isHealthy()).toBe(true);
    const restart = await harness.rackRequest(
      harness.tokens.admin,
      "POST",
      "/apps/myapp/services/web/restart",
    );
    expect(restart.status, restart.text).toBe(200);
  };

  it("records the deny event of an app name clipped inside a surrogate pair, and stays healthy", async () => {
    const response = await harness.rackRequest(null, "GET", `/apps/${SPLIT_EMOJI_APP}?`);
    expect(response.status).toBe(401);
    const [event] = await eventsOf(harness, response.headers.get("x-request-id"));
    expect(event).toMatchObject({ action: "rack.request", decision: "deny", status: 401 });
    // Clipped before the pair, not through it.
    expect(event?.app).toBe(`${"a".repeat(198)}…`);
    await expectHealthyAndMutationsWork();
    expect((await harness.verifyAudit()).ok).toBe(true);
  });
});
