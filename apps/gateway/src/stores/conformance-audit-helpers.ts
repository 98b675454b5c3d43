/** Shared by the audit conformance cases and the multi-pool PostgreSQL test. */
import { createHmac } from "node:crypto";
import type { AuditEvent, AuditRecord, SealFunction } from "@rack-gateway/audit-chain";
import { expect } from "vitest";
import type { Stores } from "./types.js";

const GENESIS = "0".repeat(64);
const SECRET = "conformance-secret";

// A stand-in for createChainSealer: an HMAC chain the tests can recompute.
export const seal: SealFunction = (previous, event) => {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS;
  return { seq, prevHash, keyId: "k1", hash: chainHash(seq, prevHash, event), event };
};

function chainHash(seq: number, prevHash: string, event: AuditEvent): string {
  return createHmac("sha256", SECRET)
    .update(`${seq}\n${prevHash}\n${JSON.stringify(event)}`)
    .digest("hex");
}

export function makeEvent(index: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    time: new Date(Date.UTC(2026, 2, 1, 10, 0, 0, index)).toISOString(),
    requestId: `req-${index}`,
    actor: { type: "user", email: "alice@example.com" },
    action: "convox.request",
    method: "GET",
    path: "/apps",
    decision: "allow",
    reason: "role deployer grants convox:app:list",
    status: 200,
    ...overrides,
  };
}

export async function readAll(stores: Stores): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  for (;;) {
    const page = await stores.audit.list({ afterSeq: all.at(-1)?.seq ?? 0, limit: 7 });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

/** Seq 1..n without gaps, each record chained onto the one before and its hash recomputable. */
export function expectValidChain(records: readonly AuditRecord[], length: number): void {
  expect(records.map((record) => record.seq)).toEqual(Array.from({ length }, (_, index) => index + 1));
  records.forEach((record, index) => {
    expect(record.prevHash).toBe(index === 0 ? GENESIS : records[index - 1]?.hash);
    expect(record.hash).toBe(chainHash(record.seq, record.prevHash, record.event));
  });
}
