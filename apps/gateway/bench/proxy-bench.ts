/**
 * @module `pnpm bench:proxy` — measures the same load directly against a fake rack, through a bare Node
 * reverse proxy and through the gateway (audit on PostgreSQL, or PGlite when no URL is set), each server in
 * its own process, and prints medians, ratios and whether the issue's targets are met. See bench/README.md.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { type AuditCheck, checkAudit } from "./audit-check.js";
import { type BenchChild, startChild } from "./children.js";
import { type CpuGroups, cpuAccountingAvailable, snapshot, spent } from "./cpu-accounting.js";
import {
  basicAuthorization,
  createLoadAgent,
  failureReasons,
  type LoadTarget,
  type PacedLoadResult,
  type ReadLoadResult,
  runPacedReads,
  runReads,
  runUpload,
  type UploadResult,
} from "./load.js";
import { printReport } from "./report.js";

const CONNECTIONS = 16;
const REPETITIONS = 3;
const READ_WARMUP = 1000;
const READS_PER_RUN = 5000;
const UPLOAD_BYTES = 50_000_000;
const WARMUP_UPLOAD_BYTES = 5_000_000;
const BIG_UPLOAD_BYTES = 200_000_000;
const READ_PATH = "/apps?";
/** The open-loop latency phase: a rate well below both proxies' capacity, over up to 64 connections. */
const PACED_RATE = 500;
const PACED_REQUESTS = 5000;
const PACED_CONNECTIONS = 64;
const UPLOAD_PATH = "/apps/myapp/objects/tmp/x.tgz";
export const WAYS = ["direct", "bare", "gateway"] as const;
export type Way = (typeof WAYS)[number];

interface Storage {
  readonly label: string;
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function prepareStorage(): Promise<Storage> {
  const url = process.env.RACK_GATEWAY_BENCH_DATABASE_URL || process.env.RACK_GATEWAY_TEST_DATABASE_URL;
  if (!url) {
    const dataDir = mkdtempSync(join(tmpdir(), "rgw-bench-"));
    return {
      label: `embedded PGlite in ${dataDir} (set RACK_GATEWAY_BENCH_DATABASE_URL to measure on PostgreSQL)`,
      env: { RACK_GATEWAY_DATA_DIR: dataDir },
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE SCHEMA ${schema}`);
  const schemaUrl = new URL(url);
  schemaUrl.searchParams.set("search_path", schema);
  return {
    label: `PostgreSQL ${schemaUrl.host}${schemaUrl.pathname} (fresh schema ${schema}, dropped afterwards)`,
    env: { DATABASE_URL: schemaUrl.toString() },
    cleanup: async () => {
      await admin.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** CPU µs per request by process group (load generator, rack, proxies, PostgreSQL) during one run. */
export type CpuPerRequest = Record<string, number>;

export interface BenchResults {
  readonly storage: string;
  readonly reads: Record<Way, ReadLoadResult[]>;
  /** Per run, where the machine's CPU went (µs per request); absent where /proc is not readable. */
  readonly readCpu: Record<Way, CpuPerRequest[]> | null;
  readonly paced: Record<"bare" | "gateway", PacedLoadResult[]>;
  readonly uploads: Record<Way, UploadResult[]>;
  readonly bigUpload: Record<
    "bare" | "gateway",
    { upload: UploadResult; baselineBytes: number; peakBytes: number }
  >;
  readonly gatewayRequests: { reads: number; uploads: number };
  readonly audit: AuditCheck;
  readonly gatewayExitCode: number | null;
  /** 1-minute load average before and after: above the CPU count, other work competed for the CPUs. */
  readonly loadAverage: { readonly start: number; readonly end: number; readonly cpus: number };
  readonly settings: {
    connections: number;
    repetitions: number;
    warmup: number;
    readsPerRun: number;
    uploadBytes: number;
    bigUploadBytes: number;
    pacedRate: number;
    pacedRequests: number;
  };
  readonly median: typeof median;
}

async function main(): Promise<void> {
  const cpuProfileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const loadAtStart = loadavg()[0] ?? 0;
  const storage = await prepareStorage();
  process.stderr.write(`audit storage: ${storage.label}\n`);
  const children: BenchChild[] = [];
  try {
    const rackPassword = randomBytes(18).toString("base64url");
    const rack = await startChild("rack", { BENCH_RACK_PASSWORD: rackPassword });
    children.push(rack);
    const bare = await startChild("bare", { BENCH_TARGET_URL: rack.url });
    children.push(bare);
    const gatewayEnv: Record<string, string> = {
      ...storage.env,
      HOST: "127.0.0.1",
      PORT: "0",
      RACK_HOST: rack.url,
      RACK_TOKEN: rackPassword,
      APP_SECRET_KEY: randomBytes(32).toString("base64"),
      AUDIT_HMAC_SECRET: randomBytes(32).toString("hex"),
    };
    const gateway = await startChild("gateway", gatewayEnv, { cpuProfileDir });
    children.push(gateway);
    const tokens = gateway.tokens;
    if (!tokens) throw new Error("the gateway child sent no tokens");
    process.stderr.write(
      `pids: fake rack ${rack.pid}, bare proxy ${bare.pid}, gateway ${gateway.pid}${cpuProfileDir ? ` (CPU profile → ${cpuProfileDir})` : ""}\n`,
    );

    const agents = {
      direct: createLoadAgent(CONNECTIONS),
      bare: createLoadAgent(CONNECTIONS),
      gateway: createLoadAgent(CONNECTIONS),
    };
    const pacedAgents = {
      bare: createLoadAgent(PACED_CONNECTIONS),
      gateway: createLoadAgent(PACED_CONNECTIONS),
    };
    // PostgreSQL is only counted when it runs on this machine (its processes are visible in /proc).
    const cpuGroups: CpuGroups = {
      "load generator": [process.pid],
      "fake rack": [rack.pid],
      "bare proxy": [bare.pid],
      gateway: [gateway.pid],
      ...(storage.env.DATABASE_URL ? { postgres: "postgres" as const } : {}),
    };
    const withCpu = cpuAccountingAvailable();
    const rackAuth = { Authorization: basicAuthorization(rackPassword), "User-Agent": "convox.go/3.19.0" };
    const targetOf = (way: Way, upload: boolean): LoadTarget => ({
      baseUrl: way === "direct" ? rack.url : way === "bare" ? bare.url : `${gateway.url}/api/v1/rack-proxy`,
      headers:
        way === "gateway"
          ? { ...rackAuth, Authorization: basicAuthorization(upload ? tokens.deployer : tokens.viewer) }
          : rackAuth,
      agent: agents[way],
    });
    const gatewayRequests = { reads: 0, uploads: 0 };
    const count = (way: Way, kind: "reads" | "uploads", n: number) => {
      if (way === "gateway") gatewayRequests[kind] += n;
    };
    const expectOk = (what: string, failures: number) => {
      if (failures > 0)
        throw new Error(
          `${what}: ${failures} request(s) failed (${[...failureReasons].map(([why, n]) => `${n}× ${why}`).join("; ")}); ` +
            "the figures would be meaningless",
        );
    };

    for (const way of WAYS) {
      process.stderr.write(`warming up ${way}…\n`);
      const warm = await runReads(targetOf(way, false), READ_PATH, READ_WARMUP, CONNECTIONS);
      count(way, "reads", READ_WARMUP);
      expectOk(`${way} warm-up`, warm.failures);
      const upload = await runUpload(targetOf(way, true), UPLOAD_PATH, WARMUP_UPLOAD_BYTES);
      count(way, "uploads", 1);
      expectOk(`${way} warm-up upload`, upload.status === 200 ? 0 : 1);
    }

    const reads: Record<Way, ReadLoadResult[]> = { direct: [], bare: [], gateway: [] };
    const readCpu: Record<Way, CpuPerRequest[]> = { direct: [], bare: [], gateway: [] };
    const uploads: Record<Way, UploadResult[]> = { direct: [], bare: [], gateway: [] };
    for (let run = 0; run < REPETITIONS; run++) {
      // Rotate the order so that drift (CPU frequency, page cache, vacuum) does not always hit the same way.
      const order = WAYS.map((_, index) => WAYS[(index + run) % WAYS.length] as Way);
      for (const way of order) {
        process.stderr.write(`run ${run + 1}/${REPETITIONS}: ${way}…\n`);
        const before = withCpu ? snapshot(cpuGroups) : null;
        const result = await runReads(targetOf(way, false), READ_PATH, READS_PER_RUN, CONNECTIONS);
        if (before) {
          const ms = spent(before, snapshot(cpuGroups));
          readCpu[way].push(
            Object.fromEntries(
              Object.entries(ms).map(([group, value]) => [group, (value * 1000) / READS_PER_RUN]),
            ),
          );
        }
        count(way, "reads", READS_PER_RUN);
        expectOk(`${way} reads`, result.failures);
        reads[way].push(result);
        const upload = await runUpload(targetOf(way, true), UPLOAD_PATH, UPLOAD_BYTES);
        count(way, "uploads", 1);
        expectOk(`${way} upload`, upload.status === 200 ? 0 : 1);
        uploads[way].push(upload);
      }
    }

    const paced: Record<"bare" | "gateway", PacedLoadResult[]> = { bare: [], gateway: [] };
    for (let run = 0; run < REPETITIONS; run++) {
      for (const way of run % 2 === 0 ? (["bare", "gateway"] as const) : (["gateway", "bare"] as const)) {
        process.stderr.write(`latency at ${PACED_RATE} req/s, run ${run + 1}/${REPETITIONS}: ${way}…\n`);
        const target = { ...targetOf(way, false), agent: pacedAgents[way] };
        const result = await runPacedReads(target, READ_PATH, PACED_REQUESTS, PACED_RATE);
        count(way, "reads", PACED_REQUESTS);
        expectOk(`${way} paced reads`, result.failures);
        paced[way].push(result);
      }
    }

    process.stderr.write("200 MB uploads with RSS sampling…\n");
    const measureBig = async (child: BenchChild, way: "bare" | "gateway") => {
      const { result, baselineBytes, peakBytes } = await child.measureRss(() =>
        runUpload(targetOf(way, true), UPLOAD_PATH, BIG_UPLOAD_BYTES),
      );
      count(way, "uploads", 1);
      expectOk(`${way} 200 MB upload`, result.status === 200 ? 0 : 1);
      return { upload: result, baselineBytes, peakBytes };
    };
    const bigUpload = { bare: await measureBig(bare, "bare"), gateway: await measureBig(gateway, "gateway") };

    for (const agent of [...Object.values(agents), ...Object.values(pacedAgents)]) agent.destroy();
    process.stderr.write("stopping the gateway and verifying its audit chain…\n");
    const gatewayExitCode = await gateway.stop();
    const audit = await checkAudit(gatewayEnv);

    printReport({
      storage: storage.label,
      reads,
      readCpu: withCpu ? readCpu : null,
      paced,
      uploads,
      bigUpload,
      gatewayRequests,
      audit,
      gatewayExitCode,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0, cpus: cpus().length },
      settings: {
        connections: CONNECTIONS,
        repetitions: REPETITIONS,
        warmup: READ_WARMUP,
        readsPerRun: READS_PER_RUN,
        uploadBytes: UPLOAD_BYTES,
        bigUploadBytes: BIG_UPLOAD_BYTES,
        pacedRate: PACED_RATE,
        pacedRequests: PACED_REQUESTS,
      },
      median,
    });
  } finally {
    for (const child of children.reverse()) {
      await child.stop().catch(() => child.kill());
    }
    await storage.cleanup();
  }
}

await main();
