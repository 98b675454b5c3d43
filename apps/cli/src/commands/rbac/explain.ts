import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { Args, Flags } from "../../oclif.js";
import { formatJson } from "../../output.js";
import { printableLines } from "../../printable.js";

export default class RbacExplain extends AdminCommand {
  static override description =
    "Explain whether a rack API call would be allowed, and why (yourself locally with @rack-gateway/rbac; --as asks the gateway)";
  static override examples = [
    "<%= config.bin %> rbac explain POST /apps/web/services/web/restart",
    "<%= config.bin %> rbac explain DELETE /apps/web --as alice@example.com",
  ];
  static override args = {
    method: Args.string({ description: "GET, POST, PUT, DELETE, HEAD, OPTIONS or SOCKET", required: true }),
    path: Args.string({ description: "rack API path, e.g. /apps/web/releases", required: true }),
  };
  static override flags = {
    as: Flags.string({ description: "explain for another person (needs user read access)" }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RbacExplain);
    const api = await this.openGateway(flags);
    const method = args.method.toUpperCase();
    if (flags.as !== undefined) {
      const answer = await api.explain({ method, path: args.path, as: flags.as });
      return this.write(flags.json ? formatJson(answer) : `${printableLines(String(answer.explanation))}\n`);
    }
    const me = await api.me();
    const { explainDecision, formatExplanation } = await import("@rack-gateway/rbac");
    const principal =
      me.kind === "user"
        ? { kind: "user" as const, id: me.user.id, name: me.user.email, grants: me.grants }
        : { kind: "token" as const, id: me.token.id, name: me.token.name, grants: me.grants };
    const explanation = explainDecision(
      principal as Parameters<typeof explainDecision>[0],
      method,
      args.path,
    );
    this.write(flags.json ? formatJson(explanation) : `${printableLines(formatExplanation(explanation))}\n`);
  }
}
