/**
 * @module Shared vitest settings: every package's vitest.config.ts spreads these.
 * Workspace packages resolve to their TypeScript sources through the "@rack-gateway/source" export
 * condition, so tests never need a prior build.
 */
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

const conditions = ["@rack-gateway/source", ...defaultServerConditions];

export const sharedConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One JSON report per package: .ci/run sums them into its closing "N passed, N failed" line.
    reporters: ["default", ["json", { outputFile: ".reports/vitest.json" }]],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
