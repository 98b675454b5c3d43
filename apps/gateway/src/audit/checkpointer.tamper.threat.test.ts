// Threat: someone with write access to the database edits an audit record after the last checkpoint, and a freshly started gateway signs a checkpoint vouching for the edited record, which auditors holding only the public key then accept.
import {
  type AuditRecord,
  createAuditWriter,
  createChainSealer,
  createMemoryAuditStorage,
  createMemoryAuditStore,
  deriveCheckpointSigningKey,
  type MemoryAuditStorage,
} from "@rack-gateway/audit-chain";
import { makeTestEvent } from "@rack-gateway/audit-chain/testing";
import { describe, expect, it } from "vitest";
import { createCheckpointer } from "./checkpointer.js";

const key = new Uint8Array(32).fill(7);
const seal = createChainSealer({ keys: { k1: key }, currentKeyId: "k1" });
const signingKey = deriveCheckpointSigningKey(key, "cp-k1");

/** A new gateway process on `storage`: a checkpointer (checkpoints every `every` records) and its writer. */
function startProcess(storage: MemoryAuditStorage, every = 1000) {
  const store = createMemoryAuditStore({ storage });
  const errors: string[] = [];
  const checkpointer = createCheckpointer({
    store,
    hmacKeys: { k1: key },
    signingKey,
    every,
    now: () => new Date("2026-11-22T10:00:00.000Z"),
    logError: (message, error) => errors.push(`${message}: ${(error as Error).message}`),
  });
  const writer = createAuditWriter({ store, seal, onCommitted: (records) => checkpointer.observe(records) });
  let n = 0;
  // One at a time, each checkpoint finished before the next append: checkpoints land exactly every `every`.
  const append = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await writer.append(makeTestEvent({ requestId: `r${storage.records.length}-${n++}` }));
      await checkpointer.idle();
    }
  };
  return { checkpointer, append, errors };
}

/** The database attacker's edit: record `seq` now says something else; its hash stays as it was. */
function editRecord(storage: MemoryAuditStorage, seq: number, reason = "nothing happened here") {
  const record = storage.records[seq - 1] as AuditRecord;
  storage.records[seq - 1] = { ...record, event: { ...record.event, reason } };
}

const checkpointedSizes = (storage: MemoryAuditStorage) => storage.checkpoints.map((cp) => cp.treeSize);

describe("the checkpointer never signs over a record edited in the database", () => {
  it("refuses to checkpoint past an edited record when it catches up from the store", async () => {
    const storage = createMemoryAuditStorage();
    await startProcess(storage).append(3);
    editRecord(storage, 2);

    const fresh = startProcess(storage);
    await fresh.checkpointer.checkpointNow();

    expect(Math.max(0, ...checkpointedSizes(storage))).toBeLessThan(2);
    expect(fresh.errors).toEqual([expect.stringMatching(/audit chain broken at seq 2.*HASH_MISMATCH/)]);
  });

  it("refuses when the edited record comes after the checkpoint it resumes from", async () => {
    const storage = createMemoryAuditStorage();
    await startProcess(storage, 4).append(6); // checkpoint at 4 (with its frontier)
    expect(checkpointedSizes(storage)).toEqual([4]);
    editRecord(storage, 5);

    const fresh = startProcess(storage);
    await fresh.checkpointer.checkpointNow();
    await fresh.append(2); // its own records do not chain onto the verified tree: still nothing signed past 4
    await fresh.checkpointer.checkpointNow();

    expect(checkpointedSizes(storage)).toEqual([4]);
    expect(fresh.errors[0]).toMatch(/audit chain broken at seq 5.*HASH_MISMATCH/);
  });

  it("refuses a record re-sealed onto the chain with a key it does not hold", async () => {
    const storage = createMemoryAuditStorage();
    await startProcess(storage).append(2);
    // The attacker appends a record of their own under an invented key id.
    const forger = createChainSealer({ keys: { k9: new Uint8Array(32).fill(1) }, currentKeyId: "k9" });
    const last = storage.records.at(-1) as AuditRecord;
    storage.records.push(forger(last, makeTestEvent({ requestId: "forged" })));

    const fresh = startProcess(storage);
    await fresh.checkpointer.checkpointNow();

    expect(checkpointedSizes(storage)).toEqual([2]);
    expect(fresh.errors).toEqual([expect.stringMatching(/UNKNOWN_KEY_ID/)]);
  });

  it("checkpoints an untouched chain it catches up on, and its own records after it", async () => {
    const storage = createMemoryAuditStorage();
    await startProcess(storage, 4).append(6);
    const fresh = startProcess(storage, 4);
    await fresh.append(3);
    await fresh.checkpointer.checkpointNow();
    expect(fresh.errors).toEqual([]);
    expect(checkpointedSizes(storage).at(-1)).toBe(9);
  });

  it("refuses a record the leaked, retired key sealed past its bound after a rotation", async () => {
    const current = new Uint8Array(32).fill(8);
    const keys = { k1: key, k2: current };
    const sealWith = (keyId: string) => createChainSealer({ keys, currentKeyId: keyId });
    const storage = createMemoryAuditStorage();
    const store = createMemoryAuditStore({ storage });
    await store.append([makeTestEvent({ requestId: "before" })], sealWith("k1"));
    await store.append(
      Array.from({ length: 4 }, (_, i) => makeTestEvent({ requestId: `after-${i}` })),
      sealWith("k2"),
    );
    await store.append([makeTestEvent({ requestId: "forged" })], sealWith("k1")); // seq 6 > 2 + 2
    const errors: string[] = [];
    const checkpointer = createCheckpointer({
      store,
      hmacKeys: keys,
      keyRotation: { currentKeyId: "k2", graceRecords: 2 },
      signingKey: deriveCheckpointSigningKey(current, "cp-k2"),
      every: 1000,
      now: () => new Date("2026-11-22T10:00:00.000Z"),
      logError: (message, error) => errors.push(`${message}: ${(error as Error).message}`),
    });
    await checkpointer.checkpointNow();
    expect(checkpointedSizes(storage)).toEqual([5]);
    expect(errors).toEqual([expect.stringMatching(/broken at seq 6.*RETIRED_KEY/)]);
  });
});
