import { appFlag, jsonFlag } from "../../base-command.js";
import { Flags } from "../../oclif.js";
import { formatJson, formatRelative, formatTable } from "../../output.js";
import { RackCommand } from "../../rack-command.js";

export default class Ps extends RackCommand {
  static override description = "List an app's processes";
  static override examples = ["<%= config.bin %> ps -a myapp", "<%= config.bin %> ps --service web --json"];
  static override flags = {
    app: appFlag,
    service: Flags.string({ description: "only this service" }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ps);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const processes = await rack.listProcesses(
      app,
      flags.service === undefined ? {} : { service: flags.service },
    );
    if (flags.json) return this.write(formatJson(processes));
    const now = new Date();
    this.write(
      formatTable(
        ["id", "service", "status", "release", "started", "command"],
        processes.map((p) => [p.id, p.name, p.status, p.release, formatRelative(p.started, now), p.command]),
      ),
    );
  }
}
