import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.js";

export default mergeConfig(
  sharedConfig,
  defineConfig({
    test: {
      // Files share their worker's module cache and the migrated in-memory PGlite template: opening embedded
      // PostgreSQL (initdb) once per worker instead of once per file cuts the suite from ~13 to ~4 minutes on 2
      // cores. Every file builds its own gateway, rack and database, so no state is shared between tests.
      isolate: false,
    },
  }),
);
