import { appFlag } from "../../base-command.js";
import { CliError } from "../../cli-error.js";
import { EXIT } from "../../exit-codes.js";
import { Args } from "../../oclif.js";
import { RackCommand } from "../../rack-command.js";

export default class EnvGet extends RackCommand {
  static override description = "Print one environment variable (masked values print as ********)";
  static override examples = ["<%= config.bin %> env get LOG_LEVEL -a myapp"];
  static override args = { key: Args.string({ description: "variable name", required: true }) };
  static override flags = { app: appFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EnvGet);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const value = (await rack.getEnv(app))[args.key];
    if (value === undefined)
      throw new CliError(`${args.key} is not set on ${app}`, EXIT.NOT_FOUND, "NOT_FOUND");
    this.write(`${value}\n`);
  }
}
