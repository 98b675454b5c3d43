import { RackGatewayCommand } from "../base-command.js";
import { CliError } from "../cli-error.js";
import { EXIT } from "../exit-codes.js";
import { Args } from "../oclif.js";

export default class Switch extends RackGatewayCommand {
  static override description = "Make another signed-in rack the current one";
  static override examples = ["<%= config.bin %> switch production"];
  static override args = { alias: Args.string({ description: "rack alias", required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Switch);
    const { writeConfig } = await import("../config-store.js");
    const { loadConfig } = await import("../target.js");
    const { path, config } = await loadConfig(process.env, (message) => this.warnLine(message));
    if (!config.racks[args.alias]) {
      const known = Object.keys(config.racks);
      throw new CliError(
        `no rack called ${args.alias}${known.length ? ` (known: ${known.join(", ")})` : ""} — run \`rack-gateway login ${args.alias} <gateway-url>\``,
        EXIT.NOT_FOUND,
        "NOT_FOUND",
      );
    }
    config.current = args.alias;
    await writeConfig(path, config);
    this.write(`Current rack: ${args.alias}\n`);
  }
}
