// Threat: an event the chain cannot seal (a lone surrogate from a client, a field built wrong) vanishes from the audit log and turns it unhealthy, so one request both hides itself and makes the gateway refuse everyone with 503.
import { type AuditEvent, createMemoryAuditStore, verifyStoredChain } from "@rack-gateway/audit-chain";
import { makeTestEvent } from "@rack-gateway/audit-chain/testing";
import { describe, expect, it } from "vitest";
import { createAuditLog, INVALID_EVENT_ACTION } from "./audit-log.js";

const keys = { k1: new Uint8Array(32).fill(9) };

function startLog() {
  const store = createMemoryAuditStore();
  const lines: string[] = [];
  const errors: string[] = [];
  const log = createAuditLog({
    store,
    keys,
    currentKeyId: "k1",
    writeLine: (line) => lines.push(line),
    logError: (message, error) => errors.push(`${message}: ${(error as Error).message}`),
    now: () => new Date("2026-11-22T10:00:00.000Z"),
  });
  return { store, log, lines, errors };
}

describe("audit events that cannot be sealed as built", () => {
  it("seals client text holding lone surrogates with U+FFFD in their place, and stays healthy", async () => {
    const { store, log, errors } = startLog();
    const record = await log.recordDurably(
      makeTestEvent({
        requestId: "req-lone",
        path: "/apps/\uD83D",
        userAgent: "curl/8 \uDE00",
        params: { "name\uD800": ["value \uDBFF"] },
        detail: { deviceName: "laptop \uD83D" },
      }),
    );
    expect(record.event).toMatchObject({
      requestId: "req-lone",
      path: "/apps/\uFFFD",
      userAgent: "curl/8 \uFFFD",
      params: { "name\uFFFD": ["value \uFFFD"] },
      detail: { deviceName: "laptop \uFFFD" },
    });
    expect(log.isHealthy()).toBe(true);
    expect(errors).toEqual([]);
    expect((await verifyStoredChain(store, keys)).ok).toBe(true);
  });

  it("records a replacement for an event that fails the schema, ships the original unsealed, and stays healthy", async () => {
    const { store, log, lines, errors } = startLog();
    const invalid = makeTestEvent({
      requestId: "req-bad",
      action: "rack.request.intent",
      status: 5000,
      app: "myapp",
    });
    const record = await log.recordDurably(invalid);
    expect(record.event).toMatchObject({
      requestId: "req-bad",
      action: INVALID_EVENT_ACTION,
      decision: "error",
      actor: { type: "user", email: "alice@example.com" },
      method: "GET",
      path: "/apps",
      app: "myapp",
      detail: { action: "rack.request.intent" },
    });
    expect(record.event.status).toBeUndefined();
    expect(record.event.reason).toContain("status");
    expect(log.isHealthy()).toBe(true);
    expect(errors).toHaveLength(1);
    const unsealed = lines.map((line) => JSON.parse(line)).filter((line) => line.sealed === false);
    expect(unsealed).toMatchObject([{ invalid: true, requestId: "req-bad", status: 5000 }]);
    expect((await verifyStoredChain(store, keys)).ok).toBe(true);

    // The next genuine event is written as usual.
    await log.recordDurably(makeTestEvent({ requestId: "req-next" }));
    expect(await store.count()).toBe(2);
  });

  it("keeps what identifies the request even when the event is not an object of the schema at all", async () => {
    const { log } = startLog();
    const garbage = { requestId: "\uD800".repeat(300), actor: "nobody", time: 7 } as unknown as AuditEvent;
    const record = await log.recordDurably(garbage);
    expect(record.event).toMatchObject({
      time: "2026-11-22T10:00:00.000Z",
      actor: { type: "system" },
      action: INVALID_EVENT_ACTION,
    });
    expect(record.event.requestId).toHaveLength(200);
    expect(log.isHealthy()).toBe(true);
  });
});
