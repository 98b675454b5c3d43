/** Base of the native rack commands: resolve target, rack client and app in one call. */
import { type RackClient, RackGatewayCommand } from "./base-command.js";
import { printable } from "./printable.js";
import type { Target } from "./target.js";

export abstract class RackCommand extends RackGatewayCommand {
  protected async openRack(flags: {
    rack?: string | undefined;
  }): Promise<{ target: Target; rack: RackClient }> {
    const target = await this.target(flags.rack);
    return { target, rack: await this.rackClient(target) };
  }

  protected async appOf(flag: string | undefined): Promise<string> {
    const { resolveAppName } = await import("./app-name.js");
    return resolveAppName(flag, process.env, process.cwd());
  }

  /** Promotes a release, saying so on stderr (stdout stays for results). */
  protected async promote(rack: RackClient, app: string, releaseId: string): Promise<void> {
    process.stderr.write(`Promoting ${printable(releaseId)}... `);
    await rack.promoteRelease(app, releaseId);
    process.stderr.write("OK\n");
  }
}
