import { jsonFlag, RackGatewayCommand } from "../base-command.js";
import { formatJson, formatRelative, formatTable } from "../output.js";

export default class Racks extends RackGatewayCommand {
  static override description = "List the racks you are signed in to (* marks the current one)";
  static override examples = ["<%= config.bin %> racks", "<%= config.bin %> racks --json"];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Racks);
    const { loadConfig } = await import("../target.js");
    const { config } = await loadConfig(process.env, (message) => this.warnLine(message));
    // Tokens never appear in the listing.
    const racks = Object.entries(config.racks).map(([alias, entry]) => ({
      alias,
      current: alias === config.current,
      gatewayUrl: entry.gatewayUrl,
      email: entry.email,
      expiresAt: entry.expiresAt,
    }));
    if (flags.json) return this.write(formatJson(racks));
    if (racks.length === 0) return this.write("No racks yet: rack-gateway login <alias> <gateway-url>\n");
    const now = new Date();
    this.write(
      formatTable(
        ["", "rack", "gateway", "user", "session expires"],
        racks.map((r) => [
          r.current ? "*" : "",
          r.alias,
          r.gatewayUrl,
          r.email ?? "",
          formatRelative(r.expiresAt, now),
        ]),
      ),
    );
  }
}
