import { appFlag, jsonFlag } from "../base-command.js";
import { CliError } from "../cli-error.js";
import { EXIT } from "../exit-codes.js";
import { Args, Flags } from "../oclif.js";
import { formatJson, formatTable } from "../output.js";
import { RackCommand } from "../rack-command.js";

export default class Scale extends RackCommand {
  static override description = "Show services, or scale one (count, cpu, memory)";
  static override examples = [
    "<%= config.bin %> scale -a myapp",
    "<%= config.bin %> scale web --count 3 -a myapp",
  ];
  static override args = { service: Args.string({ description: "service to scale" }) };
  static override flags = {
    app: appFlag,
    count: Flags.integer({ description: "number of processes", min: 0 }),
    cpu: Flags.integer({ description: "CPU units", min: 0 }),
    memory: Flags.integer({ description: "memory in MB", min: 0 }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Scale);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const scale = {
      ...(flags.count === undefined ? {} : { count: flags.count }),
      ...(flags.cpu === undefined ? {} : { cpu: flags.cpu }),
      ...(flags.memory === undefined ? {} : { memory: flags.memory }),
    };
    if (args.service !== undefined) {
      if (Object.keys(scale).length === 0) {
        throw new CliError("say what to change: --count, --cpu or --memory", EXIT.USAGE, "USAGE");
      }
      process.stderr.write(`Scaling ${args.service}... `);
      await rack.scaleService(app, args.service, scale);
      process.stderr.write("OK\n");
      return;
    }
    const services = await rack.listServices(app);
    if (flags.json) return this.write(formatJson(services));
    this.write(
      formatTable(
        ["service", "count", "cpu", "memory", "domain"],
        services.map((s) => [s.name, String(s.count), String(s.cpu), String(s.memory), s.domain]),
      ),
    );
  }
}
