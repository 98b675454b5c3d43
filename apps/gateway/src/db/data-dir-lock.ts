/**
 * One process per embedded data directory. PGlite has no cross-process locking of its own, and two
 * processes writing one PostgreSQL data directory corrupt it; so the first opener writes `gateway.lock`
 * (pid, start time, command) and everyone else fails fast with a message saying what to do instead.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const LOCK_FILE_NAME = "gateway.lock";

/** What a lock file says about its holder. */
export interface DataDirLockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO-8601 time the holder took the lock. */
  readonly startedAt: string;
  readonly command: string;
}

/** Another live process holds the embedded data directory. */
export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
  readonly dataDir: string;
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;

  constructor(dataDir: string, holder: DataDirLockHolder) {
    super(
      `the data directory ${dataDir} is in use by rack-gateway-server (pid ${holder.pid}` +
        `${holder.hostname === os.hostname() ? "" : ` on host ${holder.hostname}`}, started ${holder.startedAt}, ` +
        `command: ${holder.command}). Stop that process, or use the server's HTTP API, or set DATABASE_URL to ` +
        `share PostgreSQL between processes. If no such process exists, delete ${path.join(dataDir, LOCK_FILE_NAME)}.`,
    );
    this.dataDir = dataDir;
    this.pid = holder.pid;
    this.command = holder.command;
    this.startedAt = holder.startedAt;
  }
}

export interface DataDirLock {
  /** Deletes the lock file if it is still ours. Idempotent. */
  release(): void;
}

// Lock files this process holds, so a recycled pid (pid 1 in every container) is not mistaken for a live holder.
const heldByThisProcess = new Set<string>();

/**
 * Takes the exclusive lock on `dataDir` (created if missing), taking over a lock whose holder is dead.
 * Throws `DataDirLockedError` when a live process holds it. Released by `release()` or at process exit.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(fs.realpathSync(dataDir), LOCK_FILE_NAME);
  if (heldByThisProcess.has(lockPath)) {
    throw new DataDirLockedError(dataDir, readHolder(lockPath) ?? describeThisProcess());
  }
  const content = JSON.stringify(describeThisProcess());
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(lockPath, content)) return holdLock(lockPath, content);
    const existing = readLockFile(lockPath);
    if (existing === null) continue; // vanished between our attempts: try again
    const holder = parseHolder(existing);
    if (holder !== null && isAlive(holder, lockPath)) throw new DataDirLockedError(dataDir, holder);
    takeOverStaleLock(lockPath, existing);
  }
  throw new DataDirLockedError(dataDir, readHolder(lockPath) ?? describeThisProcess());
}

function describeThisProcess(): DataDirLockHolder {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.join(" ").slice(0, 500),
  };
}

// Write aside, then hard-link into place: link(2) fails if the name exists, and readers never see a partly
// written file (which O_EXCL + write would allow).
function tryCreate(lockPath: string, content: string): boolean {
  const temporary = `${lockPath}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content, { mode: 0o600 });
  try {
    fs.linkSync(temporary, lockPath);
    return true;
  } catch (error) {
    if (isErrorCode(error, "EEXIST")) return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

// Move the stale file aside (atomic); if what we moved is not the file we judged stale, another process
// took over first: put its lock back.
function takeOverStaleLock(lockPath: string, staleContent: string): void {
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) return;
    throw error;
  }
  if (readLockFile(aside) !== staleContent) {
    try {
      fs.linkSync(aside, lockPath);
    } catch (error) {
      if (!isErrorCode(error, "EEXIST")) throw error;
    }
  }
  fs.rmSync(aside, { force: true });
}

function holdLock(lockPath: string, content: string): DataDirLock {
  heldByThisProcess.add(lockPath);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    heldByThisProcess.delete(lockPath);
    process.removeListener("exit", release);
    if (readLockFile(lockPath) === content) fs.rmSync(lockPath, { force: true });
  };
  process.on("exit", release);
  return { release };
}

function isAlive(holder: DataDirLockHolder, lockPath: string): boolean {
  // Another host's pid cannot be checked from here: assume it is alive rather than risk corruption.
  if (holder.hostname !== os.hostname()) return true;
  if (holder.pid === process.pid) return heldByThisProcess.has(lockPath);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return !isErrorCode(error, "ESRCH");
  }
}

function readHolder(lockPath: string): DataDirLockHolder | null {
  const content = readLockFile(lockPath);
  return content === null ? null : parseHolder(content);
}

function readLockFile(filePath: string): string | null {
  try {
    return fs.readFileSync(filePath, "utf8");
  } catch (error) {
    if (isErrorCode(error, "ENOENT")) return null;
    throw error;
  }
}

function parseHolder(content: string): DataDirLockHolder | null {
  try {
    const value: unknown = JSON.parse(content);
    if (typeof value !== "object" || value === null) return null;
    const { pid, hostname, startedAt, command } = value as Record<string, unknown>;
    if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return null;
    return {
      pid: pid as number,
      hostname: typeof hostname === "string" ? hostname : os.hostname(),
      startedAt: typeof startedAt === "string" ? startedAt : "at an unknown time",
      command: typeof command === "string" ? command : "unknown",
    };
  } catch {
    return null;
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
