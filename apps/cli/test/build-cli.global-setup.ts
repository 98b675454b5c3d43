/**
 * Bundles the CLI (scripts/bundle.js → dist/cli/), so the end-to-end tests run the binary users get: bin/run.js
 * and the esbuild bundle of oclif, the commands and the workspace libraries.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cliDir = join(dirname(fileURLToPath(import.meta.url)), "..");

export default function setup(): void {
  execFileSync(process.execPath, [join(cliDir, "scripts", "bundle.js")], { cwd: cliDir, stdio: "inherit" });
}
