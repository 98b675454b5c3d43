import { appFlag } from "../base-command.js";
import { Args } from "../oclif.js";
import { RackCommand } from "../rack-command.js";
import { stdinForExec } from "../stdin-stream.js";

export default class Exec extends RackCommand {
  static override description = "Run a command inside a running process; exits with its exit code";
  static override examples = ["<%= config.bin %> exec web-5d8f7c-abcde 'ls -la' -a myapp"];
  static override strict = false;
  static override args = {
    pid: Args.string({ description: "process id", required: true }),
    command: Args.string({ description: "command and its arguments", required: true }),
  };
  static override flags = { app: appFlag };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Exec);
    const [pid, ...command] = argv as string[];
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const stdin = stdinForExec();
    const { exitCode } = await rack.exec(app, pid ?? "", command.join(" "), {
      onOutput: (text) => process.stdout.write(text),
      ...(stdin === undefined ? {} : { stdin }),
    });
    process.exitCode = exitCode;
  }
}
