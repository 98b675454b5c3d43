/** Prints the benchmark's table: medians over the repetitions, ratios, and the issue's targets met or not. */
import { release } from "node:os";
import type { BenchResults, Way } from "./proxy-bench.js";

const LABELS: Record<Way, string> = {
  direct: "direct to fake rack",
  bare: "bare Node proxy",
  gateway: "gateway (auth+audit)",
};
const TARGET_READ_RATIO = 0.8;
const TARGET_ADDED_P99_MS = 2;

const fixed = (value: number, digits: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${fixed(bytes / 1e6, 1)} MB`;
const runs = (values: readonly number[], digits: number) =>
  values.map((value) => fixed(value, digits)).join(", ");

/**
 * What 0.8× leaves for the gateway. With every process on the same CPUs and the load generator keeping them busy,
 * throughput follows the total CPU spent per request, so the gateway's runs may cost at most (bare-proxy total ÷
 * 0.8) per request. Charging the load generator and fake rack only what they cost in the bare-proxy runs (they
 * cost more per request when throughput drops), the rest is what the gateway and PostgreSQL may spend together.
 */
function cpuBudgetLines(
  cpu: Record<Way, ReadonlyArray<Readonly<Record<string, number>>>>,
  medianOf: (values: readonly number[]) => number,
): string[] {
  const sum = (perRun: Readonly<Record<string, number>>, groups: readonly string[]) =>
    groups.reduce((total, group) => total + (perRun[group] ?? 0), 0);
  const bareTotal = medianOf(cpu.bare.map((perRun) => sum(perRun, Object.keys(perRun))));
  const shared = medianOf(cpu.bare.map((perRun) => sum(perRun, ["load generator", "fake rack"])));
  const bareProxy = medianOf(cpu.bare.map((perRun) => sum(perRun, ["bare proxy"])));
  const gatewayPath = medianOf(cpu.gateway.map((perRun) => sum(perRun, ["gateway", "postgres"])));
  const allowed = bareTotal / TARGET_READ_RATIO;
  return [
    `budget for ${TARGET_READ_RATIO}×: at most ${fixed(allowed, 0)} µs per request in all; less the load generator ` +
      `and fake rack at their bare-proxy cost (${fixed(shared, 0)}),`,
    `  gateway + PostgreSQL may spend ${fixed(allowed - shared, 0)} µs — measured ${fixed(gatewayPath, 0)} ` +
      `(the bare proxy alone spends ${fixed(bareProxy, 0)})`,
  ];
}

export function printReport(results: BenchResults): void {
  const { reads, uploads, median, settings } = results;
  const out: string[] = [];
  const row = (...cells: string[]) =>
    out.push(cells.map((cell, index) => (index === 0 ? cell.padEnd(24) : cell.padStart(12))).join(""));

  out.push("");
  out.push(`Rack Gateway proxy benchmark — node ${process.version}, ${release()}`);
  out.push(`audit storage: ${results.storage}`);
  const { loadAverage } = results;
  out.push(
    `${loadAverage.cpus} CPUs shared by the load generator, fake rack, proxies and database; ` +
      `1-min load average ${fixed(loadAverage.start, 1)} before, ${fixed(loadAverage.end, 1)} after` +
      (Math.max(loadAverage.start, loadAverage.end) > loadAverage.cpus
        ? " — OTHER WORK COMPETED FOR THE CPUS: absolute figures are unreliable, ratios less so"
        : ""),
  );
  out.push("");
  out.push(
    `GET /apps — ${settings.connections} keep-alive connections, ${settings.readsPerRun} requests per run ` +
      `(after ${settings.warmup} warm-up), median of ${settings.repetitions} runs`,
  );
  row("", "req/s", "p50 ms", "p99 ms");
  for (const way of ["direct", "bare", "gateway"] as const) {
    row(
      LABELS[way],
      fixed(median(reads[way].map((r) => r.requestsPerSecond)), 0),
      fixed(median(reads[way].map((r) => r.p50Ms)), 2),
      fixed(median(reads[way].map((r) => r.p99Ms)), 2),
    );
  }
  const ratios = reads.gateway.map(
    (r, i) => r.requestsPerSecond / (reads.bare[i]?.requestsPerSecond ?? Number.NaN),
  );
  const addedP99 = reads.gateway.map((r, i) => r.p99Ms - (reads.bare[i]?.p99Ms ?? Number.NaN));
  const addedP50 = reads.gateway.map((r, i) => r.p50Ms - (reads.bare[i]?.p50Ms ?? Number.NaN));
  const bareVsDirect = reads.bare.map(
    (r, i) => r.requestsPerSecond / (reads.direct[i]?.requestsPerSecond ?? Number.NaN),
  );
  out.push(`gateway / bare proxy throughput   ${fixed(median(ratios), 2)}×   (runs: ${runs(ratios, 2)})`);
  out.push(
    `bare proxy / direct throughput    ${fixed(median(bareVsDirect), 2)}×   (runs: ${runs(bareVsDirect, 2)})`,
  );
  out.push(
    `p50 added, gateway vs bare        ${fixed(median(addedP50), 2)} ms   (runs: ${runs(addedP50, 2)})`,
  );
  out.push(
    `p99 added, gateway vs bare        ${fixed(median(addedP99), 2)} ms   (runs: ${runs(addedP99, 2)})`,
  );
  out.push("  (closed loop at saturation: latency here is mostly queueing, connections ÷ throughput)");

  if (results.readCpu) {
    const cpu = results.readCpu;
    const groups = [...new Set(Object.values(cpu).flatMap((perRun) => perRun.flatMap(Object.keys)))];
    out.push("");
    out.push("CPU per request during those runs, µs (median of runs; every process shares the same CPUs)");
    out.push(`${"".padEnd(24)}${groups.map((group) => group.padStart(15)).join("")}${"total".padStart(10)}`);
    for (const way of ["direct", "bare", "gateway"] as const) {
      const cells = groups.map((group) => median(cpu[way].map((perRun) => perRun[group] ?? 0)));
      const total = median(cpu[way].map((perRun) => Object.values(perRun).reduce((a, b) => a + b, 0)));
      out.push(
        `${LABELS[way].padEnd(24)}${cells.map((value) => fixed(value, 0).padStart(15)).join("")}${fixed(total, 0).padStart(10)}`,
      );
    }
    out.push(...cpuBudgetLines(cpu, median));
  }

  const { paced } = results;
  const pacedAddedP99 = paced.gateway.map((r, i) => r.p99Ms - (paced.bare[i]?.p99Ms ?? Number.NaN));
  const pacedAddedP50 = paced.gateway.map((r, i) => r.p50Ms - (paced.bare[i]?.p50Ms ?? Number.NaN));
  out.push("");
  out.push(
    `GET /apps at a fixed ${settings.pacedRate} req/s (open loop, below both proxies' capacity), ` +
      `${settings.pacedRequests} requests per run, median of ${settings.repetitions} runs`,
  );
  row("", "sent/s", "p50 ms", "p99 ms");
  for (const way of ["bare", "gateway"] as const) {
    row(
      LABELS[way],
      fixed(median(paced[way].map((r) => r.sentPerSecond)), 0),
      fixed(median(paced[way].map((r) => r.p50Ms)), 2),
      fixed(median(paced[way].map((r) => r.p99Ms)), 2),
    );
  }
  out.push(
    `p50 added, gateway vs bare        ${fixed(median(pacedAddedP50), 2)} ms   (runs: ${runs(pacedAddedP50, 2)})`,
  );
  out.push(
    `p99 added, gateway vs bare        ${fixed(median(pacedAddedP99), 2)} ms   (runs: ${runs(pacedAddedP99, 2)})`,
  );

  out.push("");
  out.push(
    `${mb(settings.uploadBytes)} upload, POST /apps/myapp/objects/tmp/x.tgz streamed — median of ${settings.repetitions}`,
  );
  row("", "MB/s", "runs");
  for (const way of ["direct", "bare", "gateway"] as const) {
    const speeds = uploads[way].map((u) => u.megabytesPerSecond);
    out.push(`${LABELS[way].padEnd(24)}${fixed(median(speeds), 0).padStart(12)}   ${runs(speeds, 0)}`);
  }
  const uploadRatio =
    median(uploads.gateway.map((u) => u.megabytesPerSecond)) /
    median(uploads.bare.map((u) => u.megabytesPerSecond));
  out.push(`gateway / bare proxy upload speed ${fixed(uploadRatio, 2)}×`);

  out.push("");
  out.push(
    `${mb(settings.bigUploadBytes)} upload — peak RSS growth of the proxy process (sampled every 50 ms)`,
  );
  for (const way of ["bare", "gateway"] as const) {
    const big = results.bigUpload[way];
    out.push(
      `${LABELS[way].padEnd(24)}${`+${mb(big.peakBytes - big.baselineBytes)}`.padStart(12)}   ` +
        `(baseline ${mb(big.baselineBytes)}, peak ${mb(big.peakBytes)}, ${fixed(big.upload.megabytesPerSecond, 0)} MB/s)`,
    );
  }

  const { audit, gatewayRequests } = results;
  const expected = gatewayRequests.reads + 2 * gatewayRequests.uploads;
  const lost = expected - audit.records;
  out.push("");
  out.push(
    `audit: ${gatewayRequests.reads} reads × 1 + ${gatewayRequests.uploads} uploads × 2 (intent + completion) = ` +
      `${expected} events expected, ${audit.records} recorded ` +
      `(${Object.entries(audit.byAction)
        .map(([action, n]) => `${action} ${n}`)
        .join(", ")}; ${audit.notAllowed} not "allow")`,
  );
  out.push(
    audit.chain.ok
      ? `audit chain verified after the gateway exited (exit code ${results.gatewayExitCode}): head seq ${audit.chain.headSeq}, ${audit.chain.checkpoints} signed checkpoint(s)`
      : `audit chain FAILED verification: ${audit.chain.reason}`,
  );

  const readRatio = median(ratios);
  const p99Added = median(pacedAddedP99);
  const targets: Array<[boolean, string, string]> = [
    [
      readRatio >= TARGET_READ_RATIO,
      `gateway read throughput ≥ ${TARGET_READ_RATIO}× bare proxy`,
      `${fixed(readRatio, 2)}×`,
    ],
    [
      p99Added < TARGET_ADDED_P99_MS,
      `p99 added latency < ${TARGET_ADDED_P99_MS} ms (at ${settings.pacedRate} req/s)`,
      `${fixed(p99Added, 2)} ms`,
    ],
    [
      lost === 0 && audit.chain.ok && results.gatewayExitCode === 0,
      "zero audit events lost (and chain intact)",
      `${lost} lost${audit.chain.ok ? "" : ", chain broken"}`,
    ],
  ];
  out.push("");
  out.push("targets (from the issue)");
  for (const [met, target, measured] of targets) {
    out.push(`  ${(met ? "[met]" : "[NOT MET]").padEnd(11)}${target.padEnd(46)}${measured}`);
  }
  out.push("");
  process.stdout.write(`${out.join("\n")}\n`);
}
