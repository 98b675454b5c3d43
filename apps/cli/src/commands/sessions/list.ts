import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { Flags } from "../../oclif.js";
import { formatJson } from "../../output.js";
import { formatRecords, recordsOf } from "../../records.js";

export default class SessionsList extends AdminCommand {
  static override description = "List your active sessions, or (admin) another person's";
  static override examples = [
    "<%= config.bin %> sessions list",
    "<%= config.bin %> sessions list --user alice@example.com --json",
  ];
  static override flags = {
    user: Flags.string({ description: "another person's sessions (admin)" }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(SessionsList);
    const api = await this.openGateway(flags);
    const answer =
      flags.user === undefined ? await api.listMySessions() : await api.listUserSessions(flags.user);
    const sessions = recordsOf(answer, "sessions");
    if (flags.json) return this.write(formatJson(sessions));
    const marked = sessions.map((session) => ({
      ...session,
      id: `${session.current === true ? "* " : ""}${String(session.id)}`,
    }));
    this.write(
      formatRecords(marked, [
        "id",
        "channel",
        ["deviceName", "device"],
        "ip",
        ["lastSeenAt", "last seen"],
        ["expiresAt", "expires"],
      ]),
    );
  }
}
