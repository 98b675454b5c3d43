import { jsonFlag, RackGatewayCommand } from "../base-command.js";
import type { GrantInfo } from "../gateway-api.js";
import { formatJson, formatRelative } from "../output.js";
import { printable } from "../printable.js";

export const describeGrants = (grants: readonly GrantInfo[]): string =>
  grants
    .map((grant) => {
      const what = grant.role ?? (grant.permissions ?? []).join(",");
      return grant.apps ? `${what} (apps: ${grant.apps.join(", ")})` : what;
    })
    .join("; ");

export default class Whoami extends RackGatewayCommand {
  static override description = "Show who you are on the current rack: user or token, roles, session expiry";
  static override examples = [
    "<%= config.bin %> whoami",
    "<%= config.bin %> status --rack production --json",
  ];
  static override flags = { json: jsonFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(this.constructor as typeof Whoami);
    const target = await this.target(flags.rack);
    const me = await (await this.gatewayApi(target)).me();
    if (flags.json)
      return this.write(formatJson({ alias: target.alias, gatewayUrl: target.gatewayUrl, ...me }));
    const now = new Date();
    const lines: [string, string][] = [
      ["Rack", `${target.alias} (${me.rack.displayName}) at ${target.gatewayUrl}`],
      ...(me.kind === "user"
        ? ([
            ["User", `${me.user.email}${me.user.name ? ` (${me.user.name})` : ""}`],
            ["Roles", describeGrants(me.grants)],
            [
              "Session",
              `${me.session.id}, expires ${me.session.expiresAt} (${formatRelative(me.session.expiresAt, now)})`,
            ],
          ] as [string, string][])
        : ([
            ["Token", `${me.token.name} (${me.token.displayPrefix}…)`],
            ["Roles", describeGrants(me.grants)],
            ["Expires", me.token.expiresAt ?? "never"],
          ] as [string, string][])),
    ];
    this.write(
      lines
        .map(([name, value]) => `${name.padEnd(8)} ${printable(value)}`)
        .join("\n")
        .concat("\n"),
    );
  }
}
