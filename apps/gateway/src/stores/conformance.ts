/**
 * The suite every `Stores` implementation must pass: PGlite in memory, PGlite on disk and PostgreSQL run
 * the same tests. Call it at the top level of a vitest file.
 */
import { afterEach, beforeEach, describe } from "vitest";
import { describeAuditConformance } from "./conformance-audit.js";
import { describeRateLimitConformance } from "./conformance-rate-limits.js";
import { describeSessionConformance } from "./conformance-sessions.js";
import { describeSettingsConformance } from "./conformance-settings.js";
import { describeSignInConformance } from "./conformance-sign-ins.js";
import { describeTokenConformance } from "./conformance-tokens.js";
import { describeUserConformance } from "./conformance-users.js";
import type { Stores } from "./types.js";

/** A fresh, empty set of stores and how to dispose of it. */
export interface ConformanceHandle {
  readonly stores: Stores;
  cleanup(): Promise<void>;
}

/** Gives each test its handle. */
export type ConformanceContext = () => ConformanceHandle;

/** Registers the conformance suite; `open` is called before every test and must return empty stores. */
export function describeStoresConformance(name: string, open: () => Promise<ConformanceHandle>): void {
  describe(`${name}: stores conformance`, () => {
    let handle: ConformanceHandle | undefined;
    beforeEach(async () => {
      handle = await open();
    });
    afterEach(async () => {
      await handle?.cleanup();
      handle = undefined;
    });
    const context: ConformanceContext = () => {
      if (handle === undefined) throw new Error("conformance handle used outside a test");
      return handle;
    };
    describeTokenConformance(context);
    describeRateLimitConformance(context);
    describeSettingsConformance(context);
    describeAuditConformance(context);
    describeUserConformance(context);
    describeSessionConformance(context);
    describeSignInConformance(context);
  });
}
