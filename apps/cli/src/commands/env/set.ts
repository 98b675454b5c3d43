import { appFlag } from "../../base-command.js";
import { CliError } from "../../cli-error.js";
import { EXIT } from "../../exit-codes.js";
import { Args, Flags } from "../../oclif.js";
import { printable } from "../../printable.js";
import { RackCommand } from "../../rack-command.js";

export default class EnvSet extends RackCommand {
  static override description =
    "Set environment variables in a new release (the gateway keeps masked values and guards protected and secret keys)";
  static override examples = [
    "<%= config.bin %> env set LOG_LEVEL=debug -a myapp",
    "<%= config.bin %> env set A=1 B=2 --promote",
  ];
  static override strict = false;
  static override args = { pairs: Args.string({ description: "KEY=VALUE …", required: true }) };
  static override flags = {
    app: appFlag,
    promote: Flags.boolean({ description: "promote the new release", default: false }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(EnvSet);
    const changes: Record<string, string> = {};
    for (const pair of argv as string[]) {
      const equals = pair.indexOf("=");
      if (equals <= 0)
        throw new CliError(`expected KEY=VALUE, got ${JSON.stringify(pair)}`, EXIT.USAGE, "USAGE");
      changes[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    process.stderr.write(`Setting ${printable(Object.keys(changes).join(", "))}... `);
    const { release } = await rack.setEnv(app, changes);
    process.stderr.write("OK\n");
    this.write(`Release: ${printable(release.id)}\n`);
    if (flags.promote) await this.promote(rack, app, release.id);
  }
}
