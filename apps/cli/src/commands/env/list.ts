import { appFlag, jsonFlag } from "../../base-command.js";
import { formatJson } from "../../output.js";
import { RackCommand } from "../../rack-command.js";

export default class Env extends RackCommand {
  static override description =
    "Show an app's environment (secret and protected values arrive masked as ********)";
  static override examples = ["<%= config.bin %> env -a myapp", "<%= config.bin %> env --json"];
  static override flags = { app: appFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Env);
    const { rack } = await this.openRack(flags);
    const env = await rack.getEnv(await this.appOf(flags.app));
    if (flags.json) return this.write(formatJson(env));
    const keys = Object.keys(env).sort();
    this.write(keys.map((key) => `${key}=${env[key]}\n`).join(""));
  }
}
