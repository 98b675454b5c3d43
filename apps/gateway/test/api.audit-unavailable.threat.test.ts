// Threat: an admin changes people, tokens or settings while the audit store is down, and the change looks like it went unrecorded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, withSwitchableAuditFailure } from "./harness.js";
import { clientFor, createUser, type Person, personWithRole, startPeopleHarness } from "./people.js";

describe("admin changes when the audit store fails", () => {
  let harness: Harness;
  let admin: Person;
  let failing = false;

  const wrapDatabase = withSwitchableAuditFailure(() => failing);

  beforeAll(async () => {
    harness = await startPeopleHarness({}, { wrapDatabase });
    admin = await personWithRole(harness, "admin");
  });
  afterAll(() => harness.close());

  it("answers 503 AUDIT_UNAVAILABLE (never a success) and still ships the event, marked unsealed", async () => {
    const target = await createUser(harness, [{ role: "viewer" }]);
    const asAdmin = clientFor(harness, admin.credentials);
    failing = true;
    try {
      for (const [method, path, body] of [
        ["POST", `/api/v1/users/${target.id}/lock`, { reason: "disk full drill" }],
        ["PUT", "/api/v1/settings/session_timeout_minutes", { value: 7 }],
        ["POST", "/api/v1/tokens", { name: "during outage", grants: [{ role: "viewer" }] }],
      ] as const) {
        const result = await asAdmin(method, path, { body });
        expect(result.status, `${method} ${path}: ${result.text}`).toBe(503);
        expect(result.json()).toMatchObject({ code: "AUDIT_UNAVAILABLE" });
        expect(result.text).not.toContain("no space left");
        expect(result.text).not.toMatch(/rgw_[0-9A-Za-z]{20,}/);
      }
    } finally {
      failing = false;
    }
    const unsealed = harness.auditLines
      .map((line) => JSON.parse(line))
      .filter((line) => line.sealed === false);
    expect(unsealed.map((line) => line.action)).toEqual(["user.lock", "setting.change", "token.create"]);
    expect(JSON.stringify(unsealed)).not.toMatch(/rgw_[0-9A-Za-z]{20,}/);
  });
});
