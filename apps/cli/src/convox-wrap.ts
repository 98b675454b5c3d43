/**
 * Runs the user's own `convox` with `RACK_URL` pointing at the gateway's rack proxy and the session or API token
 * as the password. stdio is inherited (streams and TTYs work as with convox itself) and its exit code is returned.
 * The rack's own token never reaches this machine: only the gateway holds it.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { CliError } from "./cli-error.js";
import { EXIT } from "./exit-codes.js";
import { NATIVE_COMMANDS } from "./native-commands.js";
import { rackUrlOf, type Target } from "./target.js";

export const CONVOX_MISSING_MESSAGE =
  "the `convox` command is not installed (or not on PATH).\n" +
  "Install it from https://docs.convox.com/installation/cli (e.g. `brew install convox`, or download the\n" +
  "release binary to /usr/local/bin/convox), or use the commands rack-gateway runs itself without convox:\n" +
  `  ${NATIVE_COMMANDS}\n` +
  "See `rack-gateway --help`.";

/** The environment convox runs with: ours, plus RACK_URL for the gateway (it overrides every other rack setting). */
export function convoxEnvironment(
  env: Record<string, string | undefined>,
  target: Pick<Target, "gatewayUrl" | "token">,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  result.RACK_URL = rackUrlOf(target);
  return result;
}

/** The rack alias of a leading `--rack <alias>` / `--rack=<alias>`, and the arguments after it. */
export function splitLeadingRack(args: readonly string[]): { rack: string | undefined; args: string[] } {
  if (args[0] === "--rack" && args[1] !== undefined) return { rack: args[1], args: args.slice(2) };
  if (args[0]?.startsWith("--rack=")) return { rack: args[0].slice("--rack=".length), args: args.slice(1) };
  return { rack: undefined, args: [...args] };
}

/**
 * Throws a usage error (exit 2) when convox `args` hold a rack option before `--`: RACK_URL overrides convox's
 * own `--rack`/`-r`, so convox would silently run against the current rack instead of the one asked for.
 */
export function refuseRackArgument(args: readonly string[]): void {
  const end = args.indexOf("--");
  const misplaced = (end < 0 ? args : args.slice(0, end)).find(
    (arg) => arg === "--rack" || arg.startsWith("--rack=") || arg === "-r" || arg.startsWith("-r="),
  );
  if (misplaced !== undefined) {
    throw new CliError(
      `${misplaced} would be ignored by convox (RACK_URL picks the rack) — put --rack <alias> first: ` +
        "rack-gateway --rack <alias> <command…>",
      EXIT.USAGE,
      "RACK_OPTION_MISPLACED",
    );
  }
}

/** Runs convox with `args`; resolves with its exit code (128 + signal number when killed by a signal). */
export function runConvox(args: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("convox", args, { stdio: "inherit", env });
    // Ctrl-C reaches convox through the terminal; we stay alive to return its exit code.
    const ignore = () => undefined;
    process.on("SIGINT", ignore);
    const done = () => process.off("SIGINT", ignore);
    child.once("error", (error: NodeJS.ErrnoException) => {
      done();
      reject(
        error.code === "ENOENT"
          ? new CliError(CONVOX_MISSING_MESSAGE, EXIT.CONVOX_MISSING, "CONVOX_MISSING")
          : new CliError(`cannot run convox: ${error.message}`, EXIT.ERROR),
      );
    });
    child.once("exit", (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
