import { appFlag } from "../base-command.js";
import { Flags } from "../oclif.js";
import { RackCommand } from "../rack-command.js";

export default class Logs extends RackCommand {
  static override description = "Stream an app's logs (over the gateway's websocket relay)";
  static override examples = [
    "<%= config.bin %> logs -a myapp --since 10m",
    "<%= config.bin %> logs --follow",
  ];
  static override flags = {
    app: appFlag,
    follow: Flags.boolean({ char: "f", description: "keep streaming new lines", default: false }),
    since: Flags.string({ description: "how far back, as a duration: 30s, 10m, 2h" }),
    tail: Flags.integer({ description: "only the last N lines", min: 0 }),
    "no-prefix": Flags.boolean({ description: "omit timestamp and source", default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Logs);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const lines = rack.streamLogs(app, {
      follow: flags.follow,
      prefix: !flags["no-prefix"],
      ...(flags.since === undefined ? {} : { since: flags.since }),
      ...(flags.tail === undefined ? {} : { tail: flags.tail }),
    });
    for await (const text of lines) process.stdout.write(text);
  }
}
