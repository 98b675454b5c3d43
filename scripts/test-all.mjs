#!/usr/bin/env node
/**
 * @module The one command that installs everything and runs the whole suite (README, `.ci/run`).
 * Steps: install (frozen lockfile) → type-check → lint → every package's tests. It keeps going after a failed
 * step so one run reports everything, then prints the closing line `N passed, N failed` summed from each
 * package's vitest JSON report, and exits non-zero on any failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
// Inside `pnpm <script>`, npm_execpath is the running pnpm: reuse it instead of relying on a global install.
const pnpm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["pnpm"];

function run(title, command, args) {
  console.log(`\n=== ${title}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(`=== ${title}: ${ok ? "ok" : "FAILED"} (${seconds}s)`);
  return ok;
}

const workspaceDirs = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, group, entry.name)),
);
for (const dir of workspaceDirs) rmSync(join(dir, ".reports"), { recursive: true, force: true });

const failedSteps = [];
const [bin, ...pre] = pnpm;
if (!run("install", bin, [...pre, "install", "--frozen-lockfile"])) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}
if (
  !run("typecheck", bin, [
    ...pre,
    "exec",
    "turbo",
    "run",
    "typecheck",
    "--continue",
    "--output-logs=errors-only",
  ])
)
  failedSteps.push("typecheck");
if (!run("lint", bin, [...pre, "exec", "biome", "check", "."])) failedSteps.push("lint");
// --force: a test run must run the tests, never replay a cached result.
const testsOk = run("test", bin, [...pre, "exec", "turbo", "run", "test", "--continue", "--force"]);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of workspaceDirs) {
  const reportPath = join(dir, ".reports", "vitest.json");
  if (!existsSync(reportPath)) continue;
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  // A test file that fails to load has no failed tests, only a failed suite: count it as a failure.
  for (const file of report.testResults) {
    const hasFailedTest = file.assertionResults.some((test) => test.status === "failed");
    if (file.status === "failed" && !hasFailedTest) {
      failed += 1;
      console.log(`failed to run: ${file.name}: ${file.message?.split("\n")[0] ?? ""}`);
    }
  }
}
if (!testsOk && failed === 0) failedSteps.push("test (a package's test run failed without a report)");
failed += failedSteps.length;
if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || skipped > 0 ? 1 : 0);
