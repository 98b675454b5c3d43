import { jsonFlag } from "../base-command.js";
import { formatJson } from "../output.js";
import { printable } from "../printable.js";
import { RackCommand } from "../rack-command.js";

export default class Rack extends RackCommand {
  static override description = "Show the rack behind the gateway";
  static override examples = ["<%= config.bin %> rack", "<%= config.bin %> rack --json"];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Rack);
    const { rack } = await this.openRack(flags);
    const system = await rack.system();
    if (flags.json) return this.write(formatJson(system));
    const rows: [string, string][] = [
      ["Name", system.name],
      ["Provider", system.provider],
      ["Region", system.region],
      ["Router", system.domain],
      ["Status", system.status],
      ["Version", system.version],
    ];
    this.write(
      rows
        .map(([name, value]) => `${name.padEnd(9)} ${printable(value ?? "")}`.trimEnd())
        .join("\n")
        .concat("\n"),
    );
  }
}
