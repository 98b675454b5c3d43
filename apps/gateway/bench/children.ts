/** Starts and talks to the benchmark's child processes (one server each, see bench-child.ts). */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildMessage, ChildRole, ParentMessage } from "./protocol.js";

const CHILD_ENTRY = fileURLToPath(new URL("./bench-child.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface BenchChild {
  readonly role: ChildRole;
  readonly pid: number;
  readonly url: string;
  readonly tokens: { viewer: string; deployer: string } | undefined;
  /** Peak RSS of the child while `during` runs, sampled inside the child every 50 ms. */
  measureRss<T>(during: () => Promise<T>): Promise<{ result: T; baselineBytes: number; peakBytes: number }>;
  /** Asks the child to close its server and waits for it to exit; resolves to its exit code. */
  stop(): Promise<number | null>;
  /** Last resort on failure: SIGKILL this child (by its pid). */
  kill(): void;
}

function nextMessage<T extends ChildMessage["type"]>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`child ${child.pid} sent no ${type} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: ChildMessage) => {
      if (message.type === type) finish(null, message as Extract<ChildMessage, { type: T }>);
      else if (message.type === "failed") finish(new Error(`child ${child.pid} failed: ${message.message}`));
    };
    const onExit = (code: number | null) =>
      finish(new Error(`child ${child.pid} exited (${code}) before ${type}`));
    function finish(error: Error | null, message?: Extract<ChildMessage, { type: T }>) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(message as Extract<ChildMessage, { type: T }>);
    }
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/**
 * Forks `bench-child.ts <role>` with tsx for the benchmark's own files and the compiled packages for everything
 * else (the gateway as the production image runs it: `node dist/…`). The child's stdout
 * (the gateway's audit JSON lines) goes to /dev/null, as cheap a sink as a log shipper's pipe.
 */
export async function startChild(
  role: ChildRole,
  env: Record<string, string>,
  options: { cpuProfileDir?: string | undefined } = {},
): Promise<BenchChild> {
  const child = fork(CHILD_ENTRY, [role], {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? "", ...env },
    // No source condition: the workspace packages resolve to their compiled dist/ (built by `pnpm bench:proxy`
    // first), as in the production image; tsx only compiles the benchmark's own files.
    execArgv: [
      "--import",
      "tsx",
      ...(options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const send = (message: ParentMessage) => child.send(message);
  let ready: Extract<ChildMessage, { type: "ready" }>;
  try {
    ready = await nextMessage(child, "ready", START_TIMEOUT_MS);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    role,
    pid: child.pid ?? -1,
    url: ready.url,
    tokens: ready.tokens,
    async measureRss(during) {
      const started = nextMessage(child, "rss-started", 10_000);
      send({ type: "rss-start" });
      await started;
      const result = await during();
      const reply = nextMessage(child, "rss", 10_000);
      send({ type: "rss-stop" });
      const { baselineBytes, peakBytes } = await reply;
      return { result, baselineBytes, peakBytes };
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      send({ type: "stop" });
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
