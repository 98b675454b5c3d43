/** Builds @rack-gateway/rbac, @rack-gateway/convox-client and the CLI, so tests run the real binary. */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cliDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(cliDir, "..", "..", "node_modules", "typescript", "bin", "tsc");

export default function setup(): void {
  for (const dir of ["../../packages/core-rbac", "../../packages/convox-client", "."]) {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: join(cliDir, dir),
      stdio: "inherit",
    });
  }
}
