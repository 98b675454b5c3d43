/** The audit log through the API: page through sealed records, and verify the whole chain and its checkpoints. */
import { Hono } from "hono";
import { z } from "zod";
import { verifyAuditLog } from "../audit/verify-audit.js";
import type { GatewayDeps } from "../deps.js";
import type { AppEnv } from "../http/identity.js";
import { requireIdentity } from "./me-routes.js";
import { parseInput } from "./request-body.js";

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

const wholeNumber = z
  .string()
  .regex(/^\d{1,15}$/, "must be a whole number")
  .transform(Number);
const pageQuery = z.object({
  after_seq: wholeNumber.optional(),
  limit: wholeNumber.pipe(z.number().int().min(1).max(MAX_PAGE)).optional(),
});

export function auditRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();

  app.get("/api/v1/audit/events", async (c) => {
    const query = parseInput(
      pageQuery,
      { after_seq: c.req.query("after_seq"), limit: c.req.query("limit") },
      `?after_seq=N&limit=1..${MAX_PAGE}`,
    );
    const records = await deps.stores.audit.list({
      afterSeq: query.after_seq ?? 0,
      limit: query.limit ?? DEFAULT_PAGE,
    });
    return c.json({
      records: records.map((record) => ({ seq: record.seq, hash: record.hash, event: record.event })),
      // Pass back as after_seq for the next page; null once this page is the last one.
      nextAfterSeq: records.length === (query.limit ?? DEFAULT_PAGE) ? (records.at(-1)?.seq ?? null) : null,
    });
  });

  app.post("/api/v1/audit/verify", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    // Events still queued belong to the chain being verified.
    await deps.audit.flush();
    const result = await verifyAuditLog(deps.stores.audit, deps.auditVerification);
    const outcome = result.ok
      ? {
          ok: true as const,
          count: result.count,
          head: result.head,
          checkpointsVerified: result.checkpointsVerified,
        }
      : { ok: false as const, index: result.index, seq: result.seq ?? null, reason: result.reason };
    deps.audit.record({
      time: deps.now().toISOString(),
      requestId: c.get("requestId"),
      actor: identity.actor,
      action: "audit.verify",
      decision: "allow",
      reason: result.ok
        ? `audit chain intact: ${result.count} events, ${result.checkpointsVerified} checkpoint(s)`
        : `audit chain FAILED verification at index ${result.index}: ${result.reason.code}`,
    });
    return c.json(outcome);
  });

  return app;
}
