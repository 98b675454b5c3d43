/**
 * Which gateway and credential a command talks with: CI mode (`RACK_GATEWAY_URL` + `RACK_GATEWAY_API_TOKEN`, no
 * config file read), else the rack named by `--rack`, `RACK_GATEWAY_RACK` or the current rack in the config.
 */
import { CliError } from "./cli-error.js";
import { type CliConfig, configPathOf, readConfig } from "./config-store.js";
import { EXIT } from "./exit-codes.js";

export interface Target {
  alias: string;
  gatewayUrl: string;
  token: string;
  source: "config" | "env";
  sessionId: string | null;
  expiresAt: string | null;
}

/** `http(s)://host[:port]` with no path, query or credentials; the CLI refuses plain HTTP to a remote host. */
export function normalizeGatewayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(
      `${JSON.stringify(raw)} is not a URL; give the gateway's address, e.g. https://gateway.example.com`,
      EXIT.USAGE,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new CliError(`the gateway URL must start with https:// (got ${url.protocol})`, EXIT.USAGE);
  }
  if (url.username !== "" || url.password !== "") {
    throw new CliError("the gateway URL must not carry credentials", EXIT.USAGE);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol === "http:" && !loopback) {
    throw new CliError(
      `refusing plain http:// to ${url.hostname}: tokens would travel in clear; use https://`,
      EXIT.USAGE,
    );
  }
  return url.origin;
}

export interface ResolveTargetOptions {
  env: Record<string, string | undefined>;
  /** `--rack` */
  rack: string | undefined;
  /** Called when the config file had loose permissions (already fixed). */
  warn: (message: string) => void;
}

/** Loads the config (fixing loose permissions, with a warning). */
export async function loadConfig(
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): Promise<{ path: string; config: CliConfig }> {
  const path = configPathOf(env);
  const { config, fixedMode } = await readConfig(path);
  if (fixedMode !== null) {
    warn(
      `${path} was readable by other users (mode ${fixedMode.toString(8).padStart(4, "0")}); it is now 0600. ` +
        "If anyone else could read it, run `rack-gateway logout` and sign in again.",
    );
  }
  return { path, config };
}

export async function resolveTarget(options: ResolveTargetOptions): Promise<Target> {
  const { env } = options;
  const ciUrl = env.RACK_GATEWAY_URL;
  const ciToken = env.RACK_GATEWAY_API_TOKEN;
  if (ciUrl && ciToken && options.rack === undefined) {
    return {
      alias: env.RACK_GATEWAY_RACK ?? "ci",
      gatewayUrl: normalizeGatewayUrl(ciUrl),
      token: ciToken,
      source: "env",
      sessionId: null,
      expiresAt: null,
    };
  }
  if (Boolean(ciUrl) !== Boolean(ciToken) && options.rack === undefined) {
    const missing = ciUrl ? "RACK_GATEWAY_API_TOKEN" : "RACK_GATEWAY_URL";
    throw new CliError(
      `CI mode needs both RACK_GATEWAY_URL and RACK_GATEWAY_API_TOKEN; ${missing} is not set`,
      EXIT.USAGE,
    );
  }
  const { config } = await loadConfig(env, options.warn);
  const alias = options.rack ?? env.RACK_GATEWAY_RACK ?? config.current;
  if (alias === null || alias === undefined) {
    throw new CliError(
      "not signed in to any rack — run `rack-gateway login <alias> <gateway-url>` (or set RACK_GATEWAY_URL and RACK_GATEWAY_API_TOKEN in CI)",
      EXIT.AUTH,
      "NOT_SIGNED_IN",
    );
  }
  const entry = config.racks[alias];
  if (!entry) {
    const known = Object.keys(config.racks);
    throw new CliError(
      `no rack called ${alias}${known.length > 0 ? ` (known: ${known.join(", ")})` : ""} — run \`rack-gateway login ${alias} <gateway-url>\``,
      EXIT.AUTH,
      "NOT_SIGNED_IN",
    );
  }
  return {
    alias,
    gatewayUrl: entry.gatewayUrl,
    token: entry.token,
    source: "config",
    sessionId: entry.sessionId,
    expiresAt: entry.expiresAt,
  };
}

/** The rack proxy URL for the stock convox CLI: `https://convox:<URL-escaped token>@host/api/v1/rack-proxy`. */
export function rackUrlOf(target: Pick<Target, "gatewayUrl" | "token">): string {
  const url = new URL(target.gatewayUrl);
  return `${url.protocol}//convox:${encodeURIComponent(target.token)}@${url.host}/api/v1/rack-proxy`;
}
