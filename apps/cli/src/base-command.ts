/**
 * What every command shares: `--rack`, finding the target, the gateway and rack clients over node:http (loaded lazily so
 * `--version` and `--help` stay fast), and one `catch` that prints a fix-it line and exits with a stable code.
 */
import { describeFailure, type FailureContext } from "./cli-error.js";
import type { GatewayApi } from "./gateway-api.js";
import { Command, Flags } from "./oclif.js";
import { printableLines } from "./printable.js";
import type { Target } from "./target.js";

export type RackClient = import("@rack-gateway/convox-client").ConvoxClient;

export const appFlag = Flags.string({
  char: "a",
  description: "app name (default: CONVOX_APP, .convox/app, or the directory name)",
});

export const jsonFlag = Flags.boolean({ description: "print JSON instead of a table", default: false });

export abstract class RackGatewayCommand extends Command {
  static override baseFlags = {
    rack: Flags.string({
      description: "rack alias to use (default: RACK_GATEWAY_RACK or the current rack)",
      helpGroup: "GLOBAL",
    }),
  };

  protected failure: FailureContext = { alias: null, gatewayUrl: null, source: null };

  protected get userAgent(): string {
    return `rack-gateway-cli/${this.config.version}`;
  }

  protected warnLine(message: string): void {
    process.stderr.write(`rack-gateway: warning: ${printableLines(message)}\n`);
  }

  protected write(text: string): void {
    process.stdout.write(text);
  }

  /** The gateway and credential for this command (CI env or the config). */
  protected async target(rack: string | undefined): Promise<Target> {
    const { resolveTarget } = await import("./target.js");
    const target = await resolveTarget({ env: process.env, rack, warn: (message) => this.warnLine(message) });
    this.failure = { alias: target.alias, gatewayUrl: target.gatewayUrl, source: target.source };
    return target;
  }

  protected async gatewayApi(
    target: Pick<Target, "gatewayUrl" | "token"> | { gatewayUrl: string; token: null },
  ): Promise<GatewayApi> {
    const { createGatewayApi } = await import("./gateway-api.js");
    const { fetchWithNodeHttp } = await import("./node-http-fetch.js");
    return createGatewayApi({
      url: target.gatewayUrl,
      token: target.token,
      fetch: fetchWithNodeHttp,
      userAgent: this.userAgent,
    });
  }

  /** A convox-client through the gateway's rack proxy, with the session or API token as the password. */
  protected async rackClient(target: Target): Promise<RackClient> {
    const { createConvoxClient, createWsSocketFactory } = await import("@rack-gateway/convox-client");
    const { fetchWithNodeHttp } = await import("./node-http-fetch.js");
    return createConvoxClient({
      url: `${target.gatewayUrl}/api/v1/rack-proxy`,
      password: target.token,
      fetch: fetchWithNodeHttp,
      openWebSocket: createWsSocketFactory(),
      userAgent: this.userAgent,
    });
  }

  override async catch(error: Error & { oclif?: unknown }): Promise<unknown> {
    // oclif's own errors (bad flags, this.exit) keep oclif's handling and exit codes.
    if (error.oclif !== undefined) return super.catch(error);
    const { message, exitCode } = describeFailure(error, this.failure);
    process.stderr.write(`rack-gateway: ${printableLines(message)}\n`);
    if (process.env.RACK_GATEWAY_DEBUG === "1" && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCode;
    return undefined;
  }
}
