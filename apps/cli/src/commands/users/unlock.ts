import { AdminCommand } from "../../admin-command.js";
import { Args } from "../../oclif.js";
import { printable } from "../../printable.js";

export default class UsersUnlock extends AdminCommand {
  static override description = "Let a locked person sign in again";
  static override examples = ["<%= config.bin %> users unlock alice@example.com"];
  static override args = { user: Args.string({ description: "email or user id", required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UsersUnlock);
    await (await this.openGateway(flags)).unlockUser(args.user);
    this.write(`Unlocked ${printable(args.user)}\n`);
  }
}
