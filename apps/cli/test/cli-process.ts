/** Runs the built `rack-gateway` binary as a subprocess with a private HOME/XDG_CONFIG_HOME. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(CLI_DIR, "bin", "run.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
}

/** A fresh home: `home/.config` is XDG_CONFIG_HOME. Nothing of the developer's real config is read. */
export function createHome(): { home: string; configHome: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), "rgw-cli-home-"));
  const configHome = join(home, ".config");
  return {
    home,
    configHome,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: configHome,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NO_COLOR: "1",
    },
  };
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[name] = value;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? CLI_DIR,
      env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`rack-gateway ${args.join(" ")} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
