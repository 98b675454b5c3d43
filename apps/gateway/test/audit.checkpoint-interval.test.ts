// Threat: on a quiet gateway the newest records wait a long time for a signed checkpoint, and a database writer can cut them off unseen meanwhile.
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

describe("checkpoints by time as well as by count", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const checkpoints = () => harness!.gateway.database.stores.audit.listCheckpoints();

  it("signs the records of a quiet gateway within AUDIT_CHECKPOINT_INTERVAL_MS, and nothing while none arrive", async () => {
    harness = await startHarness({
      env: { AUDIT_CHECKPOINT_EVERY: "1000", AUDIT_CHECKPOINT_INTERVAL_MS: "150" },
    });
    for (let i = 0; i < 3; i++) {
      expect((await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?")).status).toBe(200);
    }
    await harness.gateway.deps.audit.flush();
    const head = (await harness.gateway.database.stores.audit.head())?.seq ?? 0;
    await expect.poll(async () => (await checkpoints()).at(-1)?.treeSize, { timeout: 5_000 }).toBe(head);
    const signed = (await checkpoints()).length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await checkpoints()).toHaveLength(signed);
  });

  it("signs only every AUDIT_CHECKPOINT_EVERY records when the interval is 0", async () => {
    harness = await startHarness({
      env: { AUDIT_CHECKPOINT_EVERY: "1000", AUDIT_CHECKPOINT_INTERVAL_MS: "0" },
    });
    await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    await harness.gateway.deps.audit.flush();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await checkpoints()).toEqual([]);
  });
});
