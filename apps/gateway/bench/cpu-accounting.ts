/**
 * CPU time per process group, read from /proc (Linux only): where the machine's CPU went during one run. On a
 * 2-core machine every process — load generator, rack, proxy, database — competes for the same cores, so a
 * proxy's cost is the CPU it and its database burn per request, not only its own latency.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of one process in ms, or null when it is gone or /proc is absent. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** Every local PostgreSQL server process (postmaster, backends, WAL writer, checkpointer). */
function postgresPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => commandOf(pid) === "postgres");
  } catch {
    return [];
  }
}

export type CpuGroups = Record<string, readonly number[] | "postgres">;

export interface CpuSnapshot {
  readonly ms: Record<string, number>;
  /** PostgreSQL per pid, so backends that exit between snapshots are not counted as negative time. */
  readonly postgres: ReadonlyMap<number, number>;
}

export function cpuAccountingAvailable(): boolean {
  return processCpuMs(process.pid) !== null;
}

export function snapshot(groups: CpuGroups): CpuSnapshot {
  const ms: Record<string, number> = {};
  const postgres = new Map<number, number>();
  for (const [name, pids] of Object.entries(groups)) {
    if (pids === "postgres") {
      for (const pid of postgresPids()) postgres.set(pid, processCpuMs(pid) ?? 0);
      continue;
    }
    ms[name] = pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
  }
  return { ms, postgres };
}

/** CPU ms spent per group between two snapshots. */
export function spent(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(after.ms)) out[name] = value - (before.ms[name] ?? 0);
  if (after.postgres.size > 0 || before.postgres.size > 0) {
    let total = 0;
    for (const [pid, value] of after.postgres) total += value - (before.postgres.get(pid) ?? 0);
    out.postgres = total;
  }
  return out;
}
