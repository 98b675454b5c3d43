import { createChainSealer } from "../chain-hash.js";
import type { AuditEvent } from "../event.js";
import type { AuditRecord, ChainHead, SealFunction } from "../store.js";

/**
 * A valid, deterministic audit event (a viewer listing apps) with `overrides` applied on top.
 *
 * @example makeTestEvent({ requestId: "req-7", decision: "deny" })
 */
export function makeTestEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: "2026-01-01T00:00:00.000Z",
    requestId: "req-1",
    actor: { type: "user", email: "alice@example.com" },
    action: "convox.request",
    method: "GET",
    path: "/apps",
    permission: "convox:apps:list",
    decision: "allow",
    reason: "role viewer grants convox:apps:list",
    status: 200,
    latencyMs: 12,
    ...overrides,
  };
}

/** The HMAC key `makeTestChain` seals with unless told otherwise: 32 bytes of 0x42. Never use outside tests. */
export const TEST_CHAIN_KEY: Uint8Array = new Uint8Array(32).fill(0x42);

export interface TestChainOptions {
  /** Number of records (default 5). */
  readonly length?: number;
  readonly keyId?: string;
  readonly key?: Uint8Array;
  /** Builds the event for each 1-based seq (default: `makeTestEvent` with `requestId: "req-<seq>"`). */
  readonly makeEvent?: (seq: number) => AuditEvent;
}

export interface TestChain {
  readonly records: AuditRecord[];
  /** The keys map to pass to `verifyChain`. */
  readonly keys: Record<string, Uint8Array>;
  readonly seal: SealFunction;
}

/** Seals a fresh in-memory chain for tests: records 1..length, each chained onto the one before. */
export function makeTestChain(options: TestChainOptions = {}): TestChain {
  const keyId = options.keyId ?? "test-key";
  const keys = { [keyId]: options.key ?? TEST_CHAIN_KEY };
  const seal = createChainSealer({ keys, currentKeyId: keyId });
  const makeEvent = options.makeEvent ?? ((seq: number) => makeTestEvent({ requestId: `req-${seq}` }));
  const records: AuditRecord[] = [];
  let head: ChainHead | null = null;
  for (let seq = 1; seq <= (options.length ?? 5); seq++) {
    const record: AuditRecord = seal(head, makeEvent(seq));
    records.push(record);
    head = record;
  }
  return { records, keys, seal };
}
