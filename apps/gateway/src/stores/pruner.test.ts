import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type OpenedDatabase, openDatabase } from "../db/open.js";
import { startPruner } from "./pruner.js";

const WINDOW_MS = 15 * 60_000;
const now = new Date("2026-03-01T12:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("startPruner", () => {
  let database: OpenedDatabase;
  beforeEach(async () => {
    database = await openDatabase({ inMemory: true });
  });
  afterEach(() => database.close());

  const seed = async () => {
    const { rateLimits, signIns } = database.stores;
    await rateLimits.hit("auth-failure:ip:198.51.100.1", WINDOW_MS, ago(3 * WINDOW_MS));
    await rateLimits.hit("auth-failure:ip:198.51.100.2", WINDOW_MS, ago(WINDOW_MS / 2));
    await signIns.saveAttempt({
      stateHash: "a".repeat(64),
      nonce: "n",
      codeVerifier: "v",
      flow: "web",
      returnTo: "/",
      cliCodeChallenge: null,
      deviceName: null,
      createdAt: ago(20 * 60_000),
      expiresAt: ago(10 * 60_000),
    });
  };

  it("deletes windows that no longer weigh in and expired sign-ins, and keeps the previous window", async () => {
    await seed();
    const pruner = startPruner({
      ...database.stores,
      longestRateWindowMs: WINDOW_MS,
      intervalMs: 60_000,
      now: () => now,
      logError: () => undefined,
    });
    expect(await pruner.pruneNow()).toBe(2);
    // The recent window still counts toward the sliding estimate.
    expect(
      await database.stores.rateLimits.peek("auth-failure:ip:198.51.100.2", WINDOW_MS, now),
    ).toBeGreaterThan(0);
    expect(await database.stores.rateLimits.peek("auth-failure:ip:198.51.100.1", WINDOW_MS, now)).toBe(0);
    await pruner.stop();
  });

  it("prunes on its own every interval until stopped", async () => {
    await seed();
    const errors: unknown[] = [];
    const pruner = startPruner({
      ...database.stores,
      longestRateWindowMs: WINDOW_MS,
      intervalMs: 20,
      now: () => now,
      logError: (_message, error) => errors.push(error),
    });
    await expect.poll(() => database.stores.rateLimits.prune(ago(WINDOW_MS)), { timeout: 5_000 }).toBe(0);
    await pruner.stop();

    await seed();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await database.stores.rateLimits.prune(ago(WINDOW_MS))).toBe(1);
    expect(errors).toEqual([]);
  });
});
