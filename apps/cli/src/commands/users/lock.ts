import { AdminCommand } from "../../admin-command.js";
import { Args, Flags } from "../../oclif.js";
import { printable } from "../../printable.js";

export default class UsersLock extends AdminCommand {
  static override description = "Lock a person out (ends every session they have)";
  static override examples = ['<%= config.bin %> users lock mallory@example.com --reason "laptop stolen"'];
  static override args = { user: Args.string({ description: "email or user id", required: true }) };
  static override flags = {
    reason: Flags.string({ description: "why (recorded in the audit log)", required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UsersLock);
    await (await this.openGateway(flags)).lockUser(args.user, flags.reason);
    this.write(`Locked ${printable(args.user)}\n`);
  }
}
