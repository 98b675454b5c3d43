import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { CliError } from "../../cli-error.js";
import { EXIT } from "../../exit-codes.js";
import { formatJson } from "../../output.js";

export default class AuditVerify extends AdminCommand {
  static override description =
    "Ask the gateway to verify the audit chain and its signed checkpoints (exit 1 when broken)";
  static override examples = ["<%= config.bin %> audit verify", "<%= config.bin %> audit verify --json"];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(AuditVerify);
    const answer = await (await this.openGateway(flags)).verifyAudit();
    if (flags.json) this.write(formatJson(answer));
    if (answer.ok !== true) {
      throw new CliError(
        `audit chain verification FAILED: ${JSON.stringify(answer)}`,
        EXIT.ERROR,
        "AUDIT_BROKEN",
      );
    }
    if (!flags.json)
      this.write(`Audit chain OK${typeof answer.count === "number" ? ` (${answer.count} events)` : ""}\n`);
  }
}
