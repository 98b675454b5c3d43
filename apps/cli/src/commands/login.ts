import { hostname } from "node:os";
import { RackGatewayCommand } from "../base-command.js";
import { CliError } from "../cli-error.js";
import { EXIT } from "../exit-codes.js";
import { Args, Flags } from "../oclif.js";
import { printable } from "../printable.js";

export default class Login extends RackGatewayCommand {
  static override description =
    "Sign in to a rack's gateway in the browser (or with a device code) and remember the session under an alias";
  static override examples = [
    "<%= config.bin %> login staging https://gateway.staging.example.com",
    "<%= config.bin %> login staging https://gateway.staging.example.com --no-browser",
    "<%= config.bin %> login staging   # again, same gateway",
  ];
  static override args = {
    alias: Args.string({ description: "a short name for this rack, e.g. staging", required: true }),
    url: Args.string({ description: "the gateway's URL (remembered; optional when signing in again)" }),
  };
  static override flags = {
    "no-browser": Flags.boolean({
      description: "sign in with a device code: approve it from any browser, e.g. over SSH",
      default: false,
    }),
    timeout: Flags.integer({ description: "seconds to wait for the browser", default: 300, min: 10 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Login);
    const { validateAlias, writeConfig } = await import("../config-store.js");
    const { loadConfig, normalizeGatewayUrl } = await import("../target.js");
    const aliasProblem = validateAlias(args.alias);
    if (aliasProblem) throw new CliError(aliasProblem, EXIT.USAGE, "USAGE");
    const { path, config } = await loadConfig(process.env, (message) => this.warnLine(message));
    const previous = config.racks[args.alias];
    const rawUrl = args.url ?? previous?.gatewayUrl;
    if (rawUrl === undefined) {
      throw new CliError(
        `give the gateway's URL: rack-gateway login ${args.alias} https://gateway.example.com`,
        EXIT.USAGE,
        "USAGE",
      );
    }
    const gatewayUrl = normalizeGatewayUrl(rawUrl);
    this.failure = { alias: args.alias, gatewayUrl, source: "config" };
    const api = await this.gatewayApi({ gatewayUrl, token: null });
    const deviceName = `${hostname()} (rack-gateway CLI)`;
    const { openBrowser } = await import("../open-browser.js");

    let signedIn: Awaited<ReturnType<typeof api.exchangeCliCode>>;
    if (flags["no-browser"]) {
      const { signInWithDeviceCode } = await import("../device-login.js");
      signedIn = await signInWithDeviceCode({
        api,
        deviceName,
        present: async (start) => {
          process.stderr.write(
            `To sign in to ${args.alias}, open ${printable(start.verification_uri)} in a browser and enter the code:\n\n    ${printable(start.user_code)}\n\n` +
              (start.verification_uri_complete
                ? `(or open ${printable(start.verification_uri_complete)})\n`
                : "") +
              "Waiting for approval...\n",
          );
        },
      });
    } else {
      const { signInWithLoopback } = await import("../loopback-login.js");
      signedIn = await signInWithLoopback({
        api,
        deviceName,
        timeoutMs: flags.timeout * 1000,
        present: async (url) => {
          process.stderr.write(
            `Opening your browser to sign in to ${args.alias}. If it does not open, visit:\n\n    ${url}\n\n`,
          );
          await openBrowser(url, process.env);
        },
      });
    }

    config.racks[args.alias] = {
      gatewayUrl,
      token: signedIn.token,
      sessionId: signedIn.session.id,
      email: signedIn.user.email,
      expiresAt: signedIn.session.expiresAt,
      signedInAt: new Date().toISOString(),
    };
    config.current = args.alias;
    await writeConfig(path, config);
    // The session this one replaces is of no further use: end it rather than leave it valid until it expires.
    if (previous?.sessionId && previous.gatewayUrl === gatewayUrl) {
      const old = await this.gatewayApi({ gatewayUrl, token: previous.token });
      await old.revokeMySession(previous.sessionId).catch(() => undefined);
    }
    this.write(
      `Signed in to ${args.alias} (${gatewayUrl}) as ${printable(signedIn.user.email)}; session expires ${printable(signedIn.session.expiresAt)}\n`,
    );
  }
}
