import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { formatJson } from "../../output.js";
import { formatRecords, recordsOf } from "../../records.js";

export default class UsersList extends AdminCommand {
  static override description = "List the people who may sign in";
  static override examples = ["<%= config.bin %> users list", "<%= config.bin %> users list --json"];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(UsersList);
    const answer = await (await this.openGateway(flags)).listUsers();
    const users = recordsOf(answer, "users");
    if (flags.json) return this.write(formatJson(users));
    this.write(
      formatRecords(users, [
        "email",
        "name",
        ["grants", "roles"],
        "locked",
        ["lastSignInAt", "last sign-in"],
      ]),
    );
  }
}
