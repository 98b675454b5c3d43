import { AdminCommand } from "../../admin-command.js";
import { jsonFlag } from "../../base-command.js";
import { CliError } from "../../cli-error.js";
import { EXIT } from "../../exit-codes.js";
import { grantsOf } from "../../grant-flags.js";
import { Flags } from "../../oclif.js";
import { formatJson } from "../../output.js";

export default class ApiTokenCreate extends AdminCommand {
  static override description = "Create an API token for CI/CD; the token is printed once and never again";
  static override examples = [
    "<%= config.bin %> api-token create --name ci-web --role cicd --apps web",
    "<%= config.bin %> api-token create --name nightly --role viewer --expires-in-days 30 --json",
  ];
  static override flags = {
    name: Flags.string({ description: "what it is for", required: true }),
    role: Flags.string({ description: "cicd, viewer, ops, deployer or admin", required: true }),
    apps: Flags.string({ description: "limit the role to these apps (comma-separated)" }),
    "expires-in-days": Flags.integer({ description: "expiry; default: never", min: 1 }),
    json: jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ApiTokenCreate);
    const api = await this.openGateway(flags);
    const days = flags["expires-in-days"];
    const answer = await api.createToken({
      name: flags.name,
      grants: grantsOf(flags.role, flags.apps),
      ...(days === undefined ? {} : { expiresInDays: days }),
    });
    const { token } = answer;
    if (typeof token !== "string")
      throw new CliError("the gateway did not return a token", EXIT.ERROR, "BAD_RESPONSE");
    if (flags.json) return this.write(formatJson(answer));
    process.stderr.write(
      "Store this token now (e.g. as RACK_GATEWAY_API_TOKEN in CI); it will not be shown again:\n",
    );
    this.write(`${token}\n`);
  }
}
