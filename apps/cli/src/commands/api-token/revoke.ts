import { AdminCommand } from "../../admin-command.js";
import { Args } from "../../oclif.js";
import { printable } from "../../printable.js";

export default class ApiTokenRevoke extends AdminCommand {
  static override description = "Revoke an API token at once";
  static override examples = ["<%= config.bin %> api-token revoke tok_0b9c…"];
  static override args = {
    token: Args.string({ description: "token id (from api-token list)", required: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ApiTokenRevoke);
    await (await this.openGateway(flags)).revokeToken(args.token);
    this.write(`Revoked token ${printable(args.token)}\n`);
  }
}
