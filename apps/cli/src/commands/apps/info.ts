import { appFlag, jsonFlag } from "../../base-command.js";
import { Args } from "../../oclif.js";
import { formatJson } from "../../output.js";
import { printable } from "../../printable.js";
import { RackCommand } from "../../rack-command.js";

export default class AppsInfo extends RackCommand {
  static override description = "Show one app";
  static override examples = ["<%= config.bin %> apps info -a myapp"];
  static override args = { app: Args.string({ description: "app name (same as --app)" }) };
  static override flags = { app: appFlag, json: jsonFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AppsInfo);
    const { rack } = await this.openRack(flags);
    const app = await rack.getApp(args.app ?? (await this.appOf(flags.app)));
    if (flags.json) return this.write(formatJson(app));
    const rows: [string, string][] = [
      ["Name", app.name],
      ["Status", app.status],
      ["Generation", app.generation ?? ""],
      ["Locked", String(app.locked)],
      ["Release", app.release],
      ["Router", app.router],
    ];
    this.write(
      rows
        .map(([name, value]) => `${name.padEnd(11)} ${printable(value)}`.trimEnd())
        .join("\n")
        .concat("\n"),
    );
  }
}
