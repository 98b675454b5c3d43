import { setTimeout as sleep } from "node:timers/promises";
import * as Flags from "@oclif/core/flags";
import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { recordsOf } from "../../records.js";

/** One event as a line: time, actor, action, decision, method + path, reason. */
function formatEvent(record: Record<string, unknown>): string {
  const event = (record.event ?? record) as Record<string, unknown>;
  const actor = event.actor as Record<string, unknown> | undefined;
  const who = actor ? String(actor.email ?? actor.name ?? actor.id ?? actor.type ?? "") : "";
  const what = [event.method, event.path].filter((part) => typeof part === "string").join(" ");
  return [event.time, who, event.action, event.decision, what, event.status, event.reason]
    .filter((part) => part !== undefined && part !== null && part !== "")
    .map(String)
    .join("  ");
}

export default class AuditTail extends AdminCommand {
  static override description = "Show the latest audit events (optionally keep following)";
  static override examples = [
    "<%= config.bin %> audit tail --limit 50",
    "<%= config.bin %> audit tail --follow --json",
  ];
  static override flags = {
    limit: Flags.integer({ description: "how many recent events", default: 20, min: 1, max: 1000 }),
    follow: Flags.boolean({ char: "f", description: "keep polling for new events", default: false }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AuditTail);
    const api = await this.openGateway(flags);
    const print = (events: Record<string, unknown>[]) => {
      for (const event of events)
        this.write(flags.json ? `${JSON.stringify(event)}\n` : `${formatEvent(event)}\n`);
    };
    let answer = await api.listAuditEvents({ limit: flags.limit });
    print(recordsOf(answer, "events"));
    while (flags.follow) {
      await sleep(2000);
      const next = (answer as { next?: unknown }).next;
      answer = await api.listAuditEvents(typeof next === "string" ? { after: next } : { limit: flags.limit });
      print(recordsOf(answer, "events"));
    }
  }
}
