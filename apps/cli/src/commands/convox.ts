import { RackGatewayCommand } from "../base-command.js";

export default class Convox extends RackGatewayCommand {
  static override description =
    "Run your own convox binary through the gateway (RACK_URL set to the rack proxy, your session as the password); any command rack-gateway does not know does the same";
  static override examples = [
    "<%= config.bin %> convox apps",
    "<%= config.bin %> convox instances",
    "<%= config.bin %> certs   # not native: runs convox certs",
  ];
  static override strict = false;

  async run(): Promise<void> {
    const { convoxEnvironment, refuseRackArgument, runConvox, splitLeadingRack } = await import(
      "../convox-wrap.js"
    );
    // Every argument belongs to convox, except a leading --rack (convox's own would be overridden by RACK_URL).
    const { rack, args } = splitLeadingRack(this.argv);
    refuseRackArgument(args);
    const target = await this.target(rack);
    process.exitCode = await runConvox(args, convoxEnvironment(process.env, target));
  }
}
