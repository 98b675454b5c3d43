import { appFlag } from "../../base-command.js";
import { Args } from "../../oclif.js";
import { printable } from "../../printable.js";
import { RackCommand } from "../../rack-command.js";

export default class PsStop extends RackCommand {
  static override description = "Stop a process";
  static override examples = ["<%= config.bin %> ps stop web-5d8f7c-abcde -a myapp"];
  static override args = { pid: Args.string({ description: "process id", required: true }) };
  static override flags = { app: appFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PsStop);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    process.stderr.write(`Stopping ${printable(args.pid)}... `);
    await rack.stopProcess(app, args.pid);
    process.stderr.write("OK\n");
  }
}
