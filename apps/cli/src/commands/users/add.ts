import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { grantsOf } from "../../grant-flags.js";
import { Args, Flags } from "../../oclif.js";
import { formatJson } from "../../output.js";
import { printable } from "../../printable.js";

export default class UsersAdd extends AdminCommand {
  static override description = "Allow a person to sign in, with a role";
  static override examples = ["<%= config.bin %> users add alice@example.com --role deployer --apps web,api"];
  static override args = { email: Args.string({ description: "their sign-in email", required: true }) };
  static override flags = {
    role: Flags.string({ description: "viewer, ops, deployer or admin", required: true }),
    apps: Flags.string({ description: "limit the role to these apps (comma-separated)" }),
    name: Flags.string({ description: "display name" }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UsersAdd);
    const api = await this.openGateway(flags);
    const answer = await api.addUser({
      email: args.email,
      grants: grantsOf(flags.role, flags.apps),
      ...(flags.name === undefined ? {} : { name: flags.name }),
    });
    if (flags.json) return this.write(formatJson(answer));
    this.write(
      printable(`Added ${args.email} as ${flags.role}${flags.apps ? ` on ${flags.apps}` : ""}`).concat("\n"),
    );
  }
}
