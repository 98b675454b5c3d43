import { appFlag } from "../base-command.js";
import { printable } from "../printable.js";
import { RackCommand } from "../rack-command.js";

export default class Restart extends RackCommand {
  static override description = "Restart every service of an app";
  static override examples = ["<%= config.bin %> restart -a myapp"];
  static override flags = { app: appFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Restart);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    for (const service of await rack.listServices(app)) {
      process.stderr.write(`Restarting ${printable(service.name)}... `);
      await rack.restartService(app, service.name);
      process.stderr.write("OK\n");
    }
  }
}
