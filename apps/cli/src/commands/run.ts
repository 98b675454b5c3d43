import { appFlag } from "../base-command.js";
import { Args, Flags } from "../oclif.js";
import { RackCommand } from "../rack-command.js";
import { stdinForExec } from "../stdin-stream.js";

export default class Run extends RackCommand {
  static override description =
    "Run a one-off command in a new process of a service; exits with its exit code";
  static override examples = [
    "<%= config.bin %> run web rake db:migrate -a myapp",
    "echo hi | <%= config.bin %> run web cat",
  ];
  static override strict = false;
  static override args = {
    service: Args.string({ description: "service", required: true }),
    command: Args.string({ description: "command and its arguments", required: true }),
  };
  static override flags = {
    app: appFlag,
    release: Flags.string({ description: "run this release instead of the current one" }),
    timeout: Flags.integer({ description: "seconds the process may live", default: 3600, min: 1 }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Run);
    const [service, ...command] = argv as string[];
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const stdin = stdinForExec();
    const { exitCode } = await rack.run(app, service ?? "", command.join(" "), {
      timeoutSeconds: flags.timeout,
      onOutput: (text) => process.stdout.write(text),
      ...(flags.release === undefined ? {} : { release: flags.release }),
      ...(stdin === undefined ? {} : { stdin }),
    });
    process.exitCode = exitCode;
  }
}
