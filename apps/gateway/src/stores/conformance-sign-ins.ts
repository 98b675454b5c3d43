/** Sign-in store conformance cases (registered by `describeStoresConformance`). */
import { describe, expect, it } from "vitest";
import type { ConformanceContext } from "./conformance.js";
import { newUser } from "./conformance-users.js";
import type { CliGrant, SignInAttempt } from "./types.js";

const created = new Date("2026-03-01T10:00:00.000Z");
const expires = new Date("2026-03-01T10:10:00.000Z");
const beforeExpiry = new Date(expires.getTime() - 1);

function attempt(tag: string, overrides: Partial<SignInAttempt> = {}): SignInAttempt {
  return {
    stateHash: tag.padEnd(64, "0"),
    nonce: `nonce-${tag}`,
    codeVerifier: `verifier-${tag}`.padEnd(43, "x"),
    flow: "cli-loopback",
    returnTo: "http://127.0.0.1:49152/callback",
    cliCodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    deviceName: "alice's laptop (rack-gateway CLI)",
    createdAt: created,
    expiresAt: expires,
    ...overrides,
  };
}

function grant(
  tag: string,
  overrides: Partial<Omit<CliGrant, "lastPolledAt">> = {},
): Omit<CliGrant, "lastPolledAt"> {
  return {
    codeHash: tag.padEnd(64, "0"),
    kind: "device",
    userCode: `${tag.toUpperCase().padEnd(4, "X")}-HQPK`,
    codeChallenge: null,
    deviceName: "build box (rack-gateway CLI)",
    userId: null,
    status: "pending",
    createdAt: created,
    expiresAt: expires,
    ...overrides,
  };
}

export function describeSignInConformance(context: ConformanceContext): void {
  describe("sign-ins", () => {
    it("hands a saved attempt out once, then never again", async () => {
      const { signIns } = context().stores;
      const saved = attempt("a1");
      const web = attempt("a2", { flow: "web", returnTo: "/apps", cliCodeChallenge: null, deviceName: null });
      await signIns.saveAttempt(saved);
      await signIns.saveAttempt(web);
      expect(await signIns.takeAttempt(saved.stateHash, created)).toEqual(saved);
      expect(await signIns.takeAttempt(saved.stateHash, created)).toBeNull();
      expect(await signIns.takeAttempt(web.stateHash, beforeExpiry)).toEqual(web);
      expect(await signIns.takeAttempt("f".repeat(64), created)).toBeNull();
    });

    it("treats an attempt expiring at that very moment as expired, and deletes it anyway", async () => {
      const { signIns } = context().stores;
      const saved = attempt("b1");
      await signIns.saveAttempt(saved);
      expect(await signIns.takeAttempt(saved.stateHash, expires)).toBeNull();
      expect(await signIns.takeAttempt(saved.stateHash, created)).toBeNull();
    });

    it("gives an attempt to exactly one of ten concurrent takers", async () => {
      const { signIns } = context().stores;
      const saved = attempt("c1");
      await signIns.saveAttempt(saved);
      const taken = await Promise.all(
        Array.from({ length: 10 }, () => signIns.takeAttempt(saved.stateHash, created)),
      );
      expect(taken.filter((result) => result !== null)).toEqual([saved]);
    });

    it("finds saved CLI grants by code hash, or by user code in any case until they expire", async () => {
      const { signIns } = context().stores;
      const device = grant("bdwp");
      const loopback = grant("lp1", { kind: "loopback", userCode: null, codeChallenge: "challenge" });
      const otherLoopback = grant("lp2", { kind: "loopback", userCode: null });
      for (const saved of [device, loopback, otherLoopback]) await signIns.saveCliGrant(saved);
      expect(await signIns.findCliGrant(device.codeHash)).toEqual({ ...device, lastPolledAt: null });
      expect(await signIns.findCliGrant(loopback.codeHash)).toEqual({ ...loopback, lastPolledAt: null });
      expect(await signIns.findCliGrant("f".repeat(64))).toBeNull();
      expect(await signIns.findCliGrantByUserCode("BDWP-HQPK", created)).toEqual({
        ...device,
        lastPolledAt: null,
      });
      expect(await signIns.findCliGrantByUserCode("bdwp-hqpk", beforeExpiry)).toEqual({
        ...device,
        lastPolledAt: null,
      });
      expect(await signIns.findCliGrantByUserCode("BDWP-HQPK", expires)).toBeNull();
      expect(await signIns.findCliGrantByUserCode("ZZZZ-ZZZZ", created)).toBeNull();
      await expect(signIns.saveCliGrant(grant("low", { userCode: "abcd-efgh" }))).rejects.toThrow(TypeError);
      await expect(signIns.saveCliGrant(grant("dup", { codeHash: device.codeHash }))).rejects.toThrow();
    });

    it("resolves a pending grant once, and never after it expires", async () => {
      const { stores } = context();
      const userId = (await stores.users.create(newUser("alice@example.com"))).id;
      const approved = grant("ok1");
      const denied = grant("no1");
      const late = grant("late");
      for (const saved of [approved, denied, late]) await stores.signIns.saveCliGrant(saved);

      expect(
        await stores.signIns.resolveCliGrant(approved.codeHash, { status: "approved", userId }, created),
      ).toBe(true);
      expect(await stores.signIns.findCliGrant(approved.codeHash)).toMatchObject({
        status: "approved",
        userId,
      });
      expect(
        await stores.signIns.resolveCliGrant(approved.codeHash, { status: "denied", userId: null }, created),
      ).toBe(false);
      expect((await stores.signIns.findCliGrant(approved.codeHash))?.status).toBe("approved");

      expect(
        await stores.signIns.resolveCliGrant(denied.codeHash, { status: "denied", userId: null }, created),
      ).toBe(true);
      expect(await stores.signIns.findCliGrant(denied.codeHash)).toMatchObject({
        status: "denied",
        userId: null,
      });

      expect(
        await stores.signIns.resolveCliGrant(late.codeHash, { status: "approved", userId }, expires),
      ).toBe(false);
      expect((await stores.signIns.findCliGrant(late.codeHash))?.status).toBe("pending");
      expect(
        await stores.signIns.resolveCliGrant("f".repeat(64), { status: "approved", userId }, created),
      ).toBe(false);
    });

    it("rejects an approval without a user, or with an id that is not a UUID", async () => {
      const { signIns } = context().stores;
      await signIns.saveCliGrant(grant("bad1"));
      const codeHash = grant("bad1").codeHash;
      await expect(
        signIns.resolveCliGrant(codeHash, { status: "approved", userId: null }, created),
      ).rejects.toThrow(TypeError);
      await expect(
        signIns.resolveCliGrant(codeHash, { status: "approved", userId: "not-a-uuid" }, created),
      ).rejects.toThrow(TypeError);
      expect((await signIns.findCliGrant(codeHash))?.status).toBe("pending");
    });

    it("lets exactly one of ten concurrent resolutions win, and keeps the winner's outcome", async () => {
      const { stores } = context();
      const userId = (await stores.users.create(newUser("bob@example.com"))).id;
      const saved = grant("race");
      await stores.signIns.saveCliGrant(saved);
      const outcomes = Array.from({ length: 10 }, (_, index) =>
        index % 2 === 0
          ? ({ status: "approved", userId } as const)
          : ({ status: "denied", userId: null } as const),
      );
      const results = await Promise.all(
        outcomes.map((outcome) => stores.signIns.resolveCliGrant(saved.codeHash, outcome, created)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = outcomes[results.indexOf(true)];
      expect(await stores.signIns.findCliGrant(saved.codeHash)).toMatchObject({ ...winner });
    });

    it("consumes an approved, unexpired grant once and reports it as it was", async () => {
      const { stores } = context();
      const userId = (await stores.users.create(newUser("carol@example.com"))).id;
      const saved = grant("use1", { status: "approved", userId });
      await stores.signIns.saveCliGrant(saved);
      expect(await stores.signIns.consumeCliGrant(saved.codeHash, beforeExpiry)).toEqual({
        ...saved,
        lastPolledAt: null,
      });
      expect((await stores.signIns.findCliGrant(saved.codeHash))?.status).toBe("consumed");
      expect(await stores.signIns.consumeCliGrant(saved.codeHash, created)).toBeNull();
    });

    it("consumes nothing pending, denied, unknown or expiring at that very moment", async () => {
      const { stores } = context();
      const userId = (await stores.users.create(newUser("dave@example.com"))).id;
      const pending = grant("p1");
      const denied = grant("d1", { status: "denied" });
      const expiring = grant("e1", { status: "approved", userId });
      for (const saved of [pending, denied, expiring]) await stores.signIns.saveCliGrant(saved);
      expect(await stores.signIns.consumeCliGrant(pending.codeHash, created)).toBeNull();
      expect(await stores.signIns.consumeCliGrant(denied.codeHash, created)).toBeNull();
      expect(await stores.signIns.consumeCliGrant(expiring.codeHash, expires)).toBeNull();
      expect(await stores.signIns.consumeCliGrant("f".repeat(64), created)).toBeNull();
      expect((await stores.signIns.findCliGrant(pending.codeHash))?.status).toBe("pending");
      expect((await stores.signIns.findCliGrant(expiring.codeHash))?.status).toBe("approved");
    });

    it("gives an approved grant to exactly one of ten concurrent consumers", async () => {
      const { stores } = context();
      const userId = (await stores.users.create(newUser("erin@example.com"))).id;
      const saved = grant("use2", { kind: "loopback", userCode: null, status: "approved", userId });
      await stores.signIns.saveCliGrant(saved);
      const consumed = await Promise.all(
        Array.from({ length: 10 }, () => stores.signIns.consumeCliGrant(saved.codeHash, created)),
      );
      expect(consumed.filter((result) => result !== null)).toEqual([{ ...saved, lastPolledAt: null }]);
    });

    it("records polls, returning the previous one and never moving back", async () => {
      const { signIns } = context().stores;
      const saved = grant("poll");
      await signIns.saveCliGrant(saved);
      const first = new Date("2026-03-01T10:00:05.000Z");
      const second = new Date("2026-03-01T10:00:10.000Z");
      expect(await signIns.recordPoll(saved.codeHash, first)).toBeNull();
      expect(await signIns.recordPoll(saved.codeHash, second)).toEqual(first);
      expect(await signIns.recordPoll(saved.codeHash, first)).toEqual(second);
      expect((await signIns.findCliGrant(saved.codeHash))?.lastPolledAt).toEqual(second);
      expect(await signIns.recordPoll("f".repeat(64), first)).toBeNull();
    });

    it("shows exactly one of ten concurrent polls that nobody polled before it", async () => {
      const { signIns } = context().stores;
      const saved = grant("poll2");
      await signIns.saveCliGrant(saved);
      const times = Array.from({ length: 10 }, (_, index) => new Date(created.getTime() + index * 1000));
      const previous = await Promise.all(times.map((at) => signIns.recordPoll(saved.codeHash, at)));
      expect(previous.filter((at) => at === null)).toHaveLength(1);
      expect((await signIns.findCliGrant(saved.codeHash))?.lastPolledAt).toEqual(times[9]);
    });

    it("prunes attempts and grants expired at now, counting them", async () => {
      const { signIns } = context().stores;
      await signIns.saveAttempt(attempt("x1"));
      await signIns.saveAttempt(attempt("x2", { expiresAt: new Date(expires.getTime() + 1) }));
      await signIns.saveCliGrant(grant("x3"));
      await signIns.saveCliGrant(grant("x4", { expiresAt: new Date(expires.getTime() + 1) }));
      expect(await signIns.prune(beforeExpiry)).toBe(0);
      expect(await signIns.prune(expires)).toBe(2);
      expect(await signIns.findCliGrant(grant("x3").codeHash)).toBeNull();
      expect(await signIns.findCliGrant(grant("x4").codeHash)).not.toBeNull();
      expect(await signIns.takeAttempt(attempt("x2").stateHash, expires)).not.toBeNull();
    });

    it("deletes a user's CLI grants with the user", async () => {
      const { stores } = context();
      const userId = (await stores.users.create(newUser("frank@example.com"))).id;
      const saved = grant("gone", { status: "approved", userId });
      const unrelated = grant("kept");
      await stores.signIns.saveCliGrant(saved);
      await stores.signIns.saveCliGrant(unrelated);
      await stores.users.delete(userId);
      expect(await stores.signIns.findCliGrant(saved.codeHash)).toBeNull();
      expect(await stores.signIns.findCliGrant(unrelated.codeHash)).not.toBeNull();
    });
  });
}
