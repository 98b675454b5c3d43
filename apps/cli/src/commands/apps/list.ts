import { jsonFlag } from "../../base-command.js";
import { formatJson, formatTable } from "../../output.js";
import { RackCommand } from "../../rack-command.js";

export default class Apps extends RackCommand {
  static override description = "List the apps of the rack";
  static override examples = ["<%= config.bin %> apps", "<%= config.bin %> apps --json"];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Apps);
    const { rack } = await this.openRack(flags);
    const apps = await rack.listApps();
    if (flags.json) return this.write(formatJson(apps));
    this.write(
      formatTable(
        ["app", "status", "release"],
        apps.map((app) => [app.name, app.status, app.release]),
      ),
    );
  }
}
