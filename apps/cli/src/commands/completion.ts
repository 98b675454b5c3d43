import { Args, Command } from "../oclif.js";

export default class Completion extends Command {
  static override description = "Print a shell completion script (bash, zsh or fish)";
  static override examples = [
    'eval "$(<%= config.bin %> completion bash)"   # in ~/.bashrc',
    'eval "$(<%= config.bin %> completion zsh)"    # in ~/.zshrc',
    "<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish",
  ];
  static override args = { shell: Args.string({ options: ["bash", "zsh", "fish"], required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const { COMMANDS } = await import("../commands.js");
    const { bashCompletion, fishCompletion, zshCompletion } = await import("../completion-scripts.js");
    const commands = Object.entries(COMMANDS).map(([id, command]) => ({
      words: id.replaceAll(":", " "),
      description: command.description ?? "",
      flags: Object.keys({ ...command.baseFlags, ...command.flags }),
      valueFlags: Object.entries({ ...command.baseFlags, ...command.flags })
        .filter(([, flag]) => flag.type === "option")
        .map(([name]) => name),
    }));
    const render = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[
      args.shell as "bash" | "zsh" | "fish"
    ];
    process.stdout.write(render(this.config.bin, commands));
  }
}
