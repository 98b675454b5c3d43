import {
  createAuditWriter,
  createChainSealer,
  createMemoryAuditStorage,
  createMemoryAuditStore,
  deriveCheckpointSigningKey,
  verifyChain,
} from "@rack-gateway/audit-chain";
import { makeTestEvent } from "@rack-gateway/audit-chain/testing";
import { describe, expect, it } from "vitest";
import { createCheckpointer } from "./checkpointer.js";

const key = new Uint8Array(32).fill(7);

describe("checkpointer", () => {
  it("signs checkpoints that verify, from records seen in memory and from another replica's appends alike", async () => {
    const storage = createMemoryAuditStorage();
    const store = createMemoryAuditStore({ storage });
    const otherReplica = createMemoryAuditStore({ storage });
    const seal = createChainSealer({ keys: { k1: key }, currentKeyId: "k1" });
    const signingKey = deriveCheckpointSigningKey(key, "cp-k1");
    const errors: unknown[] = [];
    const checkpointer = createCheckpointer({
      store,
      signingKey,
      every: 4,
      now: () => new Date("2026-11-22T10:00:00.000Z"),
      logError: (_message, error) => errors.push(error),
    });
    const writer = createAuditWriter({
      store,
      seal,
      onCommitted: (records) => checkpointer.observe(records),
    });

    let n = 0;
    const event = () => makeTestEvent({ requestId: `r${n++}` });
    for (let round = 0; round < 5; round++) {
      await Promise.all([writer.append(event()), writer.append(event()), writer.append(event())]);
      await checkpointer.idle();
      // Records this process never observed: the next checkpoint must read them from the store.
      if (round % 2 === 1) await otherReplica.append([event(), event()], seal);
    }
    await writer.flush();
    await checkpointer.checkpointNow();

    const records = await store.list({ limit: 1000 });
    const checkpoints = await store.listCheckpoints();
    expect(errors).toEqual([]);
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    expect(checkpoints.at(-1)?.treeSize).toBe(records.length);
    const result = verifyChain(
      records,
      { k1: key },
      { checkpoints, checkpointPublicKeys: { "cp-k1": signingKey.publicKey } },
    );
    expect(result).toMatchObject({
      ok: true,
      count: records.length,
      checkpointsVerified: checkpoints.length,
    });
  });
});
