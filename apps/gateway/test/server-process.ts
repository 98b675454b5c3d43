/**
 * Runs the operator command (`src/cli/server-bin.ts`) as a real child process, the way `pnpm server` does:
 * `serve` until it logs that it is listening, or a one-shot subcommand with a hard time limit; or in-process
 * through `runServerCli`, capturing its output.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import { runServerCli } from "../src/cli/server-cli.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const NODE_ARGS = ["--conditions=@rack-gateway/source", "--import", "tsx", "src/cli/server-bin.ts"];

export interface CliProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

function spawnCli(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Runs one subcommand to completion; SIGKILLs it after `timeoutMs` (then `signal` is SIGKILL). */
export function runCliProcess(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<CliProcessResult> {
  const started = performance.now();
  const child = spawnCli(args, env);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}

export interface ServeProcess {
  readonly pid: number;
  /** `http://127.0.0.1:PORT`, from the "listening on" line. */
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends `signal` and waits for the exit (SIGKILL after 30 s). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `serve` and resolves once it logs that it is listening; rejects (and kills it) otherwise. */
export function startServeProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = spawnCli(["serve"], env);
  let stdout = "";
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not start within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      if (url === undefined || child.pid === undefined) return;
      clearTimeout(timer);
      resolve({
        pid: child.pid,
        url,
        stdout: () => stdout,
        stderr: () => stderr,
        async stop(signal = "SIGTERM") {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
          const result = await exited;
          clearTimeout(killer);
          return result;
        },
      });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}) before listening; stderr:\n${stderr}`));
    });
  });
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the operator command in-process, capturing what it writes to stdout and stderr. */
export async function runCliCaptured(argv: string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const capture = (append: (text: string) => void) => (chunk: string | Uint8Array) => {
    append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(
    capture((text) => {
      stdout += text;
    }) as typeof process.stdout.write,
  );
  const err = vi.spyOn(process.stderr, "write").mockImplementation(
    capture((text) => {
      stderr += text;
    }) as typeof process.stderr.write,
  );
  try {
    const code = await runServerCli(argv, env);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
