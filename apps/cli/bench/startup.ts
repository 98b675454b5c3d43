/**
 * Start-up benchmark of the built binary, hyperfine-style: 20 runs each of `rack-gateway --version` and
 * `rack-gateway apps` against a local gateway + fake rack, next to a bare `node -e 0` measured in the same run.
 * Usage (from apps/cli): pnpm run bench:startup  [RUNS=20]
 */
import { execFileSync, spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { startHarness } from "../../gateway/test/harness.js";
import { BIN, CLI_DIR, createHome } from "../test/cli-process.js";

const RUNS = Number(process.env.RUNS ?? 20);

/** The binary runs the esbuild bundle in dist/cli/, built from the sources. */
function build(): void {
  execFileSync(process.execPath, [join(CLI_DIR, "scripts", "bundle.js")], { cwd: CLI_DIR, stdio: "inherit" });
}

/** Wall time of one run, spawned asynchronously: the gateway answering `apps` lives in this process. */
function time(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(elapsedMs);
      else reject(new Error(`${args.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}

function summarize(samples: number[]): { median: number; p90: number; min: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { median: at(0.5), p90: at(0.9), min: sorted[0] ?? Number.NaN };
}

build();
const harness = await startHarness({ database: "pglite" });
try {
  const home = createHome();
  const env = {
    ...home.env,
    RACK_GATEWAY_URL: harness.gatewayUrl,
    RACK_GATEWAY_API_TOKEN: harness.tokens.viewer,
  };
  const cases: [string, string[]][] = [
    ["node -e 0 (baseline)", ["-e", "0"]],
    ["rack-gateway --version", [BIN, "--version"]],
    ["rack-gateway apps", [BIN, "apps"]],
  ];
  // One warm-up each (file cache), then the runs interleaved so machine load hits every case alike.
  for (const [, args] of cases) await time(args, env);
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let run = 0; run < RUNS; run += 1) {
    for (const [name, args] of cases) samples.get(name)?.push(await time(args, env));
  }
  // The server's share of `apps`: the same rack call made from this process, no CLI start-up.
  const roundTrips: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = process.hrtime.bigint();
    const response = await harness.rackRequest(harness.tokens.viewer, "GET", "/apps?");
    if (response.status !== 200) throw new Error(`GET /apps answered ${response.status}`);
    roundTrips.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  samples.set("GET /apps round trip", roundTrips);
  cases.push(["GET /apps round trip", []]);
  const baseline = summarize(samples.get(cases[0]?.[0] ?? "") ?? []).median;
  const [load1 = 0] = loadavg();
  console.log(
    `${RUNS} runs each, node ${process.version}, ${cpus().length} CPUs, load average ${load1.toFixed(1)}\n`,
  );
  console.log(
    `${"command".padEnd(26)}${"median".padStart(10)}${"p90".padStart(10)}${"min".padStart(10)}${"× node".padStart(9)}`,
  );
  for (const [name] of cases) {
    const { median, p90, min } = summarize(samples.get(name) ?? []);
    const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(10);
    console.log(
      `${name.padEnd(26)}${ms(median)}${ms(p90)}${ms(min)}${`${(median / baseline).toFixed(2)}`.padStart(9)}`,
    );
  }
} finally {
  await harness.close();
}
