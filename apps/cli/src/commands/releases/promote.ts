import { appFlag } from "../../base-command.js";
import { CliError } from "../../cli-error.js";
import { EXIT } from "../../exit-codes.js";
import { Args } from "../../oclif.js";
import { RackCommand } from "../../rack-command.js";

export default class ReleasesPromote extends RackCommand {
  static override description = "Promote a release (default: the latest)";
  static override examples = ["<%= config.bin %> releases promote RABCDEFGHIJ -a myapp"];
  static override args = { release: Args.string({ description: "release id" }) };
  static override flags = { app: appFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ReleasesPromote);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const id = args.release ?? (await rack.listReleases(app, { limit: 1 }))[0]?.id;
    if (id === undefined) throw new CliError(`${app} has no release to promote`, EXIT.NOT_FOUND, "NOT_FOUND");
    await this.promote(rack, app, id);
  }
}
