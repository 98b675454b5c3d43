import { RackGatewayCommand } from "../base-command.js";
import { CliError } from "../cli-error.js";
import { EXIT } from "../exit-codes.js";
import { GatewayApiError } from "../gateway-api.js";
import { Args, Flags } from "../oclif.js";

export default class Logout extends RackGatewayCommand {
  static override description = "Revoke your session on the gateway, then forget it";
  static override examples = ["<%= config.bin %> logout", "<%= config.bin %> logout staging"];
  static override args = { alias: Args.string({ description: "rack alias (default: the current rack)" }) };
  static override flags = {
    force: Flags.boolean({
      description: "forget the session even when the gateway cannot be reached",
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logout);
    const { writeConfig } = await import("../config-store.js");
    const { loadConfig } = await import("../target.js");
    const { path, config } = await loadConfig(process.env, (message) => this.warnLine(message));
    const alias = args.alias ?? flags.rack ?? process.env.RACK_GATEWAY_RACK ?? config.current;
    const entry = alias === null || alias === undefined ? undefined : config.racks[alias];
    if (alias === null || alias === undefined || entry === undefined) {
      throw new CliError(
        alias ? `not signed in to ${alias}` : "not signed in to any rack",
        EXIT.AUTH,
        "NOT_SIGNED_IN",
      );
    }
    this.failure = { alias, gatewayUrl: entry.gatewayUrl, source: "config" };
    if (entry.sessionId !== null) {
      const api = await this.gatewayApi(entry);
      try {
        await api.revokeMySession(entry.sessionId);
      } catch (error) {
        // A session the gateway no longer accepts is already over; anything else must not be forgotten silently.
        const over =
          error instanceof GatewayApiError &&
          (error.code === "INVALID_AUTHENTICATION" || error.code === "NOT_FOUND");
        if (!over && !flags.force) {
          const { describeFailure } = await import("../cli-error.js");
          const { message, exitCode } = describeFailure(error, this.failure);
          throw new CliError(
            `${message}\nthe session was not revoked; retry, or \`rack-gateway logout ${alias} --force\` to forget it anyway`,
            exitCode,
          );
        }
      }
    }
    delete config.racks[alias];
    if (config.current === alias) config.current = Object.keys(config.racks)[0] ?? null;
    await writeConfig(path, config);
    this.write(`Signed out of ${alias}${config.current ? `; current rack is now ${config.current}` : ""}\n`);
  }
}
