import { appFlag, jsonFlag } from "../base-command.js";
import { Flags } from "../oclif.js";
import { formatJson, formatRelative, formatTable } from "../output.js";
import { RackCommand } from "../rack-command.js";

export default class Builds extends RackCommand {
  static override description = "List an app's builds";
  static override examples = ["<%= config.bin %> builds -a myapp"];
  static override flags = {
    app: appFlag,
    limit: Flags.integer({ description: "how many", min: 1 }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Builds);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const builds = await rack.listBuilds(app, flags.limit === undefined ? {} : { limit: flags.limit });
    if (flags.json) return this.write(formatJson(builds));
    const now = new Date();
    this.write(
      formatTable(
        ["id", "status", "release", "started", "description"],
        builds.map((b) => [b.id, b.status, b.release, formatRelative(b.started, now), b.description]),
      ),
    );
  }
}
