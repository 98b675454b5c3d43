import { appFlag } from "../../base-command.js";
import { Args, Flags } from "../../oclif.js";
import { printable } from "../../printable.js";
import { RackCommand } from "../../rack-command.js";

export default class EnvUnset extends RackCommand {
  static override description = "Remove environment variables in a new release";
  static override examples = ["<%= config.bin %> env unset LOG_LEVEL -a myapp --promote"];
  static override strict = false;
  static override args = { keys: Args.string({ description: "KEY …", required: true }) };
  static override flags = {
    app: appFlag,
    promote: Flags.boolean({ description: "promote the new release", default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(EnvUnset);
    const keys = argv as string[];
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    process.stderr.write(`Unsetting ${printable(keys.join(", "))}... `);
    const { release } = await rack.unsetEnv(app, keys);
    process.stderr.write("OK\n");
    this.write(`Release: ${printable(release.id)}\n`);
    if (flags.promote) await this.promote(rack, app, release.id);
  }
}
