import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { formatJson } from "../../output.js";
import { formatRecords, recordsOf } from "../../records.js";

export default class ApiTokenList extends AdminCommand {
  static override description = "List API tokens (never their secrets)";
  static override examples = ["<%= config.bin %> api-token list", "<%= config.bin %> api-token list --json"];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(ApiTokenList);
    const tokens = recordsOf(await (await this.openGateway(flags)).listTokens(), "tokens");
    if (flags.json) return this.write(formatJson(tokens));
    this.write(
      formatRecords(tokens, [
        "id",
        "name",
        ["displayPrefix", "prefix"],
        ["grants", "roles"],
        // active, revoked, expired, or suspended (refused because of its maker or its person; see --json)
        "status",
        ["expiresAt", "expires"],
        ["lastUsedAt", "last used"],
        ["revokedAt", "revoked"],
      ]),
    );
  }
}
