import { AdminCommand } from "../../admin-command.js";
import { grantsOf } from "../../grant-flags.js";
import { Args, Flags } from "../../oclif.js";
import { printable } from "../../printable.js";

export default class UsersSetRole extends AdminCommand {
  static override description = "Replace a person's role";
  static override examples = [
    "<%= config.bin %> users set-role alice@example.com ops",
    "<%= config.bin %> users set-role bob@example.com deployer --apps web",
  ];
  static override args = {
    user: Args.string({ description: "email or user id", required: true }),
    role: Args.string({ description: "viewer, ops, deployer or admin", required: true }),
  };
  static override flags = {
    apps: Flags.string({ description: "limit the role to these apps (comma-separated)" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UsersSetRole);
    const api = await this.openGateway(flags);
    await api.setUserGrants(args.user, grantsOf(args.role, flags.apps));
    this.write(
      printable(`${args.user} is now ${args.role}${flags.apps ? ` on ${flags.apps}` : ""}`).concat("\n"),
    );
  }
}
