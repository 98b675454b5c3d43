import { appFlag, jsonFlag } from "../../base-command.js";
import { Flags } from "../../oclif.js";
import { formatJson, formatRelative, formatTable } from "../../output.js";
import { RackCommand } from "../../rack-command.js";

export default class Releases extends RackCommand {
  static override description = "List an app's releases";
  static override examples = [
    "<%= config.bin %> releases -a myapp",
    "<%= config.bin %> releases --limit 3 --json",
  ];
  static override flags = {
    app: appFlag,
    limit: Flags.integer({ description: "how many", min: 1 }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Releases);
    const { rack } = await this.openRack(flags);
    const name = await this.appOf(flags.app);
    const [app, releases] = await Promise.all([
      rack.getApp(name),
      rack.listReleases(name, flags.limit === undefined ? {} : { limit: flags.limit }),
    ]);
    if (flags.json) return this.write(formatJson(releases));
    const now = new Date();
    this.write(
      formatTable(
        ["id", "status", "build", "created", "description"],
        releases.map((r) => [
          r.id,
          r.id === app.release ? "active" : "",
          r.build,
          formatRelative(r.created, now),
          r.description,
        ]),
      ),
    );
  }
}
