import * as Args from "@oclif/core/args";
import { AdminCommand } from "../../admin-command.js";

export default class UsersLock extends AdminCommand {
  static override description = "Lock a person out (ends every session they have)";
  static override examples = ["<%= config.bin %> users lock mallory@example.com"];
  static override args = { user: Args.string({ description: "email or user id", required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UsersLock);
    await (await this.openGateway(flags)).lockUser(args.user);
    this.write(`Locked ${args.user}\n`);
  }
}
