import { describe, expect, it } from "vitest";
import { createChainSealer, createMemoryAuditStorage, createMemoryAuditStore } from "./index.js";
import { describeAuditStoreConformance, makeTestEvent, TEST_CHAIN_KEY } from "./testing/index.js";

describeAuditStoreConformance(
  "memory",
  async () => {
    const storage = createMemoryAuditStorage();
    return { store: createMemoryAuditStore({ storage }), storage, cleanup: async () => {} };
  },
  {
    openSecond: async ({ storage }) => ({
      store: createMemoryAuditStore({ storage }),
      cleanup: async () => {},
    }),
  },
);

describe("createMemoryAuditStore", () => {
  const seal = createChainSealer({ keys: { k: TEST_CHAIN_KEY }, currentKeyId: "k" });

  it("hands out copies, so a caller mutating a record cannot change the stored chain", async () => {
    const store = createMemoryAuditStore();
    const [appended] = await store.append([makeTestEvent()], seal);
    (appended as { event: { reason: string } }).event.reason = "mutated";
    const [listed] = await store.list({ limit: 1 });
    expect(listed?.event.reason).toBe(makeTestEvent().reason);
    (listed as { hash: string }).hash = "0".repeat(64);
    expect((await store.head())?.hash).toBe(appended?.hash);
  });

  it("rejects a seal that breaks the seq sequence", async () => {
    const store = createMemoryAuditStore();
    const skipping = createChainSealer({ keys: { k: TEST_CHAIN_KEY }, currentKeyId: "k" });
    await expect(
      store.append([makeTestEvent()], (previous, event) =>
        skipping({ seq: 5, hash: previous?.hash ?? "0".repeat(64) }, event),
      ),
    ).rejects.toThrow(TypeError);
    expect(await store.count()).toBe(0);
  });

  it("rejects a non-positive limit with a RangeError", async () => {
    await expect(createMemoryAuditStore().list({ limit: 0 })).rejects.toThrow(RangeError);
  });
});
