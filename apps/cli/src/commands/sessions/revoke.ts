import { AdminCommand } from "../../admin-command.js";
import { Args, Flags } from "../../oclif.js";
import { printable } from "../../printable.js";

export default class SessionsRevoke extends AdminCommand {
  static override description = "Revoke one of your sessions, or (admin) another person's";
  static override examples = [
    "<%= config.bin %> sessions revoke 0b9c…",
    "<%= config.bin %> sessions revoke 0b9c… --user alice@example.com",
  ];
  static override args = {
    session: Args.string({ description: "session id (from sessions list)", required: true }),
  };
  static override flags = { user: Flags.string({ description: "the person whose session it is (admin)" }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SessionsRevoke);
    const api = await this.openGateway(flags);
    if (flags.user === undefined) await api.revokeMySession(args.session);
    else await api.revokeUserSession(flags.user, args.session);
    this.write(`Revoked session ${printable(args.session)}\n`);
  }
}
