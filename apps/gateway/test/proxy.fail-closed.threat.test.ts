// Threat: while the audit store is failing, rack calls go through unrecorded — an attacker who can break the audit database acts without a trace.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness, withSwitchableAuditFailure } from "./harness.js";

describe("the rack proxy fails closed when the audit log cannot be written", () => {
  let failing = false;
  let harness: Harness;
  const wrapDatabase = withSwitchableAuditFailure(() => failing);
  beforeAll(async () => {
    harness = await startHarness({ wrapDatabase });
  });
  afterAll(() => harness.close());
  beforeEach(async () => {
    failing = false;
    // Bring the log back to healthy with one successful write, then start from a clean rack.
    await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    await harness.gateway.deps.audit.flush();
    expect(harness.gateway.deps.audit.isHealthy()).toBe(true);
    harness.rack.reset();
  });

  const pid = () => harness.rack.state.processes.find((process) => process.app === "myapp")?.id ?? "";

  it("answers a mutating call 503 AUDIT_UNAVAILABLE and forwards nothing", async () => {
    failing = true;
    for (const [method, path, form] of [
      ["POST", "/apps/myapp/services/web/restart", undefined],
      ["PUT", "/apps/myapp/services/web", { count: "5" }],
      ["DELETE", `/apps/myapp/processes/${pid()}`, undefined],
    ] as const) {
      const response = await harness.rackRequest(harness.tokens.admin, method, path, form ? { form } : {});
      expect(response.status, `${method} ${path}`).toBe(503);
      expect(response.json()).toMatchObject({ code: "AUDIT_UNAVAILABLE" });
    }
    expect(harness.rack.requests).toEqual([]);
    expect(harness.rack.state.services.get("myapp")?.find((service) => service.name === "web")?.count).toBe(
      2,
    );
  });

  it("refuses a websocket exec with 503 and opens nothing upstream", async () => {
    failing = true;
    const refused = await harness
      .openSocket(harness.tokens.ops, `/apps/myapp/processes/${pid()}/exec`, { Command: "echo hi" })
      .then(
        (socket) => {
          socket.terminate();
          return null;
        },
        (error: { status?: number; body?: string }) => error,
      );
    expect(refused?.status).toBe(503);
    expect(JSON.parse(refused?.body ?? "{}")).toMatchObject({ code: "AUDIT_UNAVAILABLE" });
    expect(harness.rack.requests).toEqual([]);
  });

  it("refuses reads after a failed write until a write succeeds again", async () => {
    failing = true;
    expect(
      (await harness.rackRequest(harness.tokens.admin, "POST", "/apps/myapp/services/web/restart")).status,
    ).toBe(503);
    const refusedRead = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    expect(refusedRead.status).toBe(503);
    expect(refusedRead.json()).toMatchObject({ code: "AUDIT_UNAVAILABLE" });
    expect(harness.rack.requests).toEqual([]);
    // The refused calls' own events may still wait to share a batch: let them fail while the store is failing, or
    // one of them would be the successful write that turns the log healthy again.
    await harness.gateway.deps.audit.flush();

    failing = false;
    // The health flag only turns once a write succeeds: this refused read's own audit event is that write.
    expect((await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?")).status).toBe(503);
    await harness.gateway.deps.audit.flush();
    expect((await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?")).status).toBe(200);
    expect(harness.rack.requests.map((request) => request.path)).toEqual(["/apps"]);
  });

  it("keeps an unbroken chain across the outage and emits the lost events as unsealed log lines", async () => {
    const linesBefore = harness.auditLines.length;
    failing = true;
    const refused = await harness.rackRequest(
      harness.tokens.admin,
      "POST",
      "/apps/myapp/services/web/restart",
    );
    expect(refused.status).toBe(503);
    await harness.gateway.deps.audit.flush();
    const refusedId = refused.headers.get("x-request-id");
    const unsealed = harness.auditLines
      .slice(linesBefore)
      .map((line) => JSON.parse(line) as { sealed?: boolean; requestId?: string; action?: string });
    expect(unsealed).toContainEqual(
      expect.objectContaining({ sealed: false, requestId: refusedId, action: "rack.request.intent" }),
    );

    failing = false;
    await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    await harness.gateway.deps.audit.flush();
    const restart = await harness.rackRequest(
      harness.tokens.admin,
      "POST",
      "/apps/myapp/services/web/restart",
    );
    expect(restart.status).toBe(200);

    const records = await harness.auditRecords();
    expect(records.map((record) => record.seq)).toEqual(records.map((_, index) => index + 1));
    expect(records.some((record) => record.event.requestId === refusedId)).toBe(false);
    const restartEvents = records.filter(
      (record) => record.event.requestId === restart.headers.get("x-request-id"),
    );
    expect(restartEvents.map((record) => record.event.action)).toEqual([
      "rack.request.intent",
      "rack.request",
    ]);
    expect(await harness.verifyAudit()).toMatchObject({
      ok: true,
      count: records.length,
      head: { seq: records.length },
    });
  });
});
