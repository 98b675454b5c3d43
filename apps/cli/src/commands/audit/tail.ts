import { setTimeout as sleep } from "node:timers/promises";
import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { Flags } from "../../oclif.js";
import { printable } from "../../printable.js";

const FOLLOW_POLL_MS = 2000;

/**
 * One event as a line: seq, time, actor, action, decision, method + path, status, reason. Every field is shown
 * with {@link printable}: a reason is whatever a client sent, and must not drive the terminal or forge a line.
 */
export function formatAuditLine(seq: number, event: Record<string, unknown>): string {
  const actor = event.actor as Record<string, unknown> | undefined;
  const who = actor ? String(actor.email ?? actor.name ?? actor.id ?? actor.type ?? "") : "";
  const what = [event.method, event.path].filter((part) => typeof part === "string").join(" ");
  return [seq, event.time, who, event.action, event.decision, what, event.status, event.reason]
    .filter((part) => part !== undefined && part !== null && part !== "")
    .map((part) => printable(String(part)))
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
    const { findLastAuditSeq } = await import("../../audit-seq.js");
    const last = await findLastAuditSeq(api);
    let afterSeq = Math.max(0, last - flags.limit);
    do {
      let page = await api.listAuditEvents({ afterSeq, limit: 1000 });
      for (;;) {
        for (const record of page.records) {
          // JSON lines: one record per line, ready for jq.
          this.write(
            flags.json ? `${JSON.stringify(record)}\n` : `${formatAuditLine(record.seq, record.event)}\n`,
          );
          afterSeq = record.seq;
        }
        if (page.nextAfterSeq === null) break;
        page = await api.listAuditEvents({ afterSeq: page.nextAfterSeq, limit: 1000 });
      }
      if (flags.follow) await sleep(FOLLOW_POLL_MS);
    } while (flags.follow);
  }
}
