import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.js";

// The end-to-end tests run the built binary (bin/run.js → dist/), so build it (and the workspace
// libraries it imports from their dist/) once before any test file starts.
export default mergeConfig(
  sharedConfig,
  defineConfig({ test: { globalSetup: ["./test/build-cli.global-setup.ts"] } }),
);
