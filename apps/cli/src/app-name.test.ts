import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAppName } from "./index.js";

describe("app name, found like convox finds it", () => {
  it("prefers --app, then CONVOX_APP, then .convox/app, then the directory name", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "rgw-app-")), "billing");
    mkdirSync(join(dir, ".convox"), { recursive: true });
    expect(resolveAppName(undefined, {}, dir)).toBe("billing");
    writeFileSync(join(dir, ".convox", "app"), "  payments\n");
    expect(resolveAppName(undefined, {}, dir)).toBe("payments");
    expect(resolveAppName(undefined, { CONVOX_APP: "env-app" }, dir)).toBe("env-app");
    expect(resolveAppName("flag-app", { CONVOX_APP: "env-app" }, dir)).toBe("flag-app");
  });
});
