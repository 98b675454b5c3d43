import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.js";

// The end-to-end tests run the binary users get (bin/run.js → the bundle in dist/cli/), so bundle it once
// before any test file starts.
export default mergeConfig(
  sharedConfig,
  defineConfig({ test: { globalSetup: ["./test/build-cli.global-setup.ts"] } }),
);
