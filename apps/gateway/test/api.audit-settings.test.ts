import type { AuditRecord, AuditStore } from "@rack-gateway/audit-chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenedDatabase } from "../src/db/open.js";
import type { Harness } from "./harness.js";
import { auditEventsOf, clientFor, type Person, personWithRole, startPeopleHarness } from "./people.js";

type RecordJson = { seq: number; hash: string; event: { action: string } };
type SettingJson = {
  key: string;
  value: unknown;
  source: string;
  default: unknown;
  description: string;
  updatedBy: string | null;
};

describe("the audit log through the API", () => {
  let harness: Harness;
  let admin: Person;
  let asAdmin: ReturnType<typeof clientFor>;
  /** When set, the store hands this record back edited: what an attacker with database access could do. */
  let tamperSeq: number | null = null;

  const wrapDatabase = (database: OpenedDatabase): OpenedDatabase => {
    const audit = database.stores.audit;
    const edit = (record: AuditRecord): AuditRecord =>
      record.seq === tamperSeq
        ? { ...record, event: { ...record.event, reason: "nothing to see here" } }
        : record;
    const tampering: AuditStore = {
      append: (events, seal) => audit.append(events, seal),
      head: () => audit.head(),
      list: async (options) => (await audit.list(options)).map(edit),
      count: () => audit.count(),
      saveCheckpoint: (checkpoint) => audit.saveCheckpoint(checkpoint),
      listCheckpoints: () => audit.listCheckpoints(),
    };
    return { ...database, stores: { ...database.stores, audit: tampering } };
  };

  beforeAll(async () => {
    harness = await startPeopleHarness({ AUDIT_CHECKPOINT_EVERY: "5" }, { wrapDatabase });
    admin = await personWithRole(harness, "admin");
    asAdmin = clientFor(harness, admin.credentials);
    for (let index = 0; index < 12; index++) await harness.rackRequest(harness.tokens.viewer, "GET", "/apps");
    await harness.gateway.deps.audit.flush();
    await harness.gateway.checkpointer.idle();
  });
  afterAll(() => harness.close());

  it("pages through sealed records in order with after_seq and limit", async () => {
    const first = await asAdmin("GET", "/api/v1/audit/events?limit=5");
    expect(first.status, first.text).toBe(200);
    const page = first.json<{ records: RecordJson[]; nextAfterSeq: number | null }>();
    expect(page.records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page.records[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(page.nextAfterSeq).toBe(5);
    const second = (await asAdmin("GET", "/api/v1/audit/events?after_seq=5&limit=3")).json<{
      records: RecordJson[];
    }>();
    expect(second.records.map((record) => record.seq)).toEqual([6, 7, 8]);
    const all = (await asAdmin("GET", "/api/v1/audit/events?limit=1000")).json<{
      records: RecordJson[];
      nextAfterSeq: number | null;
    }>();
    expect(all.records.length).toBeGreaterThanOrEqual(12);
    expect(all.nextAfterSeq).toBeNull();
    expect(
      all.records.filter((record) => record.event.action === "rack.request").length,
    ).toBeGreaterThanOrEqual(12);
  });

  it.each(["limit=0", "limit=1001", "limit=ten", "after_seq=-1", "after_seq=1.5"])(
    "answers 400 for ?%s",
    async (query) => {
      const result = await asAdmin("GET", `/api/v1/audit/events?${query}`);
      expect(result.status).toBe(400);
      expect(result.json()).toMatchObject({ code: "BAD_REQUEST" });
    },
  );

  it("verifies the whole chain and the signed checkpoints, and finds an edited record", async () => {
    await harness.gateway.deps.audit.flush();
    const committed = await harness.gateway.database.stores.audit.count();
    const intact = await asAdmin("POST", "/api/v1/audit/verify");
    expect(intact.status, intact.text).toBe(200);
    const result = intact.json<{ ok: boolean; count: number; checkpointsVerified: number }>();
    expect(result.ok).toBe(true);
    // Everything committed before the call (its own audit.verify event comes after).
    expect(result.count).toBe(committed);
    expect(result.checkpointsVerified).toBeGreaterThanOrEqual(1);
    const [event] = await auditEventsOf(harness, intact);
    expect(event).toMatchObject({ action: "audit.verify", actor: { email: admin.user.email } });

    tamperSeq = 4;
    try {
      const broken = await asAdmin("POST", "/api/v1/audit/verify");
      expect(broken.status).toBe(200);
      expect(broken.json()).toMatchObject({ ok: false, index: 3, seq: 4, reason: { code: "HASH_MISMATCH" } });
    } finally {
      tamperSeq = null;
    }
  });

  it("is for admins only", async () => {
    const ops = await personWithRole(harness, "ops");
    const asOps = clientFor(harness, ops.credentials);
    expect((await asOps("GET", "/api/v1/audit/events")).status).toBe(403);
    expect((await asOps("POST", "/api/v1/audit/verify")).status).toBe(403);
  });
});

describe("runtime settings through the API", () => {
  let harness: Harness;
  let admin: Person;
  let asAdmin: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    harness = await startPeopleHarness({ RGW_SETTING_SESSION_TIMEOUT_MINUTES: "10" });
    admin = await personWithRole(harness, "admin");
    asAdmin = clientFor(harness, admin.credentials);
  });
  afterAll(() => harness.close());

  const settingNamed = async (key: string) => {
    const listed = (await asAdmin("GET", "/api/v1/settings")).json<{ settings: SettingJson[] }>();
    return listed.settings.find((setting) => setting.key === key);
  };

  it("lists every setting with its value, its source and what it does", async () => {
    const listed = await asAdmin("GET", "/api/v1/settings");
    const { settings } = listed.json<{ settings: SettingJson[] }>();
    expect(settings.map((setting) => setting.key).sort()).toEqual([
      "allow_rack_jwt",
      "cli_session_absolute_hours",
      "cli_session_idle_minutes",
      "session_absolute_hours",
      "session_timeout_minutes",
    ]);
    expect(settings.find((setting) => setting.key === "session_timeout_minutes")).toMatchObject({
      value: 10,
      source: "environment",
      default: 5,
      description: expect.stringContaining("Idle timeout"),
    });
    expect(settings.find((setting) => setting.key === "allow_rack_jwt")).toMatchObject({
      value: false,
      source: "default",
    });
  });

  it("changes a setting in the database, audited, with effect on the next request", async () => {
    const changed = await asAdmin("PUT", "/api/v1/settings/session_timeout_minutes", {
      body: { value: "15" },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json()).toMatchObject({
      setting: { value: 15, source: "database", updatedBy: admin.user.email },
    });
    expect((await asAdmin("GET", "/api/v1/me")).json()).toMatchObject({
      session: { idleTimeoutMinutes: 15 },
    });
    const [event] = await auditEventsOf(harness, changed);
    expect(event).toMatchObject({
      action: "setting.change",
      actor: { email: admin.user.email },
      detail: { setting: "session_timeout_minutes", before: 10, beforeSource: "environment", after: 15 },
    });

    const flag = await asAdmin("PUT", "/api/v1/settings/allow_rack_jwt", { body: { value: true } });
    expect(flag.json()).toMatchObject({ setting: { value: true, source: "database" } });
  });

  it.each([
    ["session_timeout_minutes", "abc"],
    ["session_timeout_minutes", 0],
    ["session_timeout_minutes", 100_000],
    ["session_timeout_minutes", 1.5],
    ["allow_rack_jwt", "yes"],
  ])("refuses %s = %j with 400 and keeps the value", async (key, value) => {
    const before = await settingNamed(key);
    const result = await asAdmin("PUT", `/api/v1/settings/${key}`, { body: { value } });
    expect(result.status, result.text).toBe(400);
    expect(result.json()).toMatchObject({ code: "BAD_REQUEST" });
    expect(await settingNamed(key)).toEqual(before);
    // Only the refusal is audited, never a change.
    expect(await auditEventsOf(harness, result)).toEqual([
      expect.objectContaining({ action: "gateway.request", decision: "deny", status: 400 }),
    ]);
  });

  it("answers 404 for an unknown setting and 400 for a body without a value", async () => {
    const unknown = await asAdmin("PUT", "/api/v1/settings/root_password", { body: { value: 1 } });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({
      code: "NOT_FOUND",
      error: expect.stringContaining("session_timeout_minutes"),
    });
    expect((await asAdmin("DELETE", "/api/v1/settings/root_password")).status).toBe(404);
    const noValue = await asAdmin("PUT", "/api/v1/settings/session_timeout_minutes", { body: { other: 1 } });
    expect(noValue.status).toBe(400);
  });

  it("resets a setting to the environment's value, audited once", async () => {
    await asAdmin("PUT", "/api/v1/settings/session_timeout_minutes", { body: { value: 20 } });
    const reset = await asAdmin("DELETE", "/api/v1/settings/session_timeout_minutes");
    expect(reset.json()).toMatchObject({
      changed: true,
      setting: { value: 10, source: "environment", updatedBy: null },
    });
    const [event] = await auditEventsOf(harness, reset);
    expect(event).toMatchObject({
      action: "setting.reset",
      actor: { email: admin.user.email },
      detail: { setting: "session_timeout_minutes", before: 20, after: 10, afterSource: "environment" },
    });
    const again = await asAdmin("DELETE", "/api/v1/settings/session_timeout_minutes");
    expect(again.json()).toMatchObject({ changed: false });
    expect(await auditEventsOf(harness, again)).toEqual([]);
  });

  it("is for admins only", async () => {
    const deployer = await personWithRole(harness, "deployer");
    const asDeployer = clientFor(harness, deployer.credentials);
    expect((await asDeployer("GET", "/api/v1/settings")).status).toBe(403);
    expect(
      (await asDeployer("PUT", "/api/v1/settings/allow_rack_jwt", { body: { value: true } })).status,
    ).toBe(403);
  });
});
