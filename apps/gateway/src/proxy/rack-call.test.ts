import { matchConvoxRoute } from "@rack-gateway/rbac";
import { createRedactionRules, REDACTED } from "@rack-gateway/redaction";
import { describe, expect, it } from "vitest";
import { type RackCallContext, rackCallEvent } from "./rack-call.js";

const context = (userAgent: string | null): RackCallContext => ({
  requestId: "req-1",
  time: new Date("2026-11-22T10:00:00.000Z"),
  startedAt: 0,
  method: "GET",
  target: "/apps?",
  clientIp: "127.0.0.1",
  userAgent,
});

const eventFor = (userAgent: string | null, rules = createRedactionRules()) =>
  rackCallEvent(context(userAgent), rules, {
    action: "rack.request",
    actor: { type: "anonymous" },
    decision: "allow",
    reason: "test",
    match: matchConvoxRoute("GET", "/apps?"),
  });

describe("rackCallEvent: the client's user agent", () => {
  it("is recorded as sent when it holds nothing secret", () => {
    expect(eventFor("convox.go/3.19.0").userAgent).toBe("convox.go/3.19.0");
    expect(eventFor(null).userAgent).toBeUndefined();
  });

  it("is redacted every time, also when the same header comes again", () => {
    const leaky = "deploy-bot password=hunter2hunter2 (linux)";
    const first = eventFor(leaky).userAgent;
    expect(first).not.toContain("hunter2");
    expect(first).toContain(REDACTED);
    expect(eventFor(leaky).userAgent).toBe(first);
  });

  it("follows the rules it is given: a pattern added by the operator applies to a header seen before", () => {
    const agent = "ci-runner acme=internal4242";
    expect(eventFor(agent).userAgent).toBe(agent);
    const strict = createRedactionRules({ patterns: ["acme"] });
    expect(eventFor(agent, strict).userAgent).not.toContain("4242");
  });

  it("stays bounded and correct when clients send many different agents", () => {
    for (let index = 0; index < 1000; index++) {
      expect(eventFor(`agent-${index} token=secret${index}value`).userAgent).not.toContain(`secret${index}`);
    }
    expect(eventFor("agent-1 token=secret1value").userAgent).not.toContain("secret1value");
  });
});
