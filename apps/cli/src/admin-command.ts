/** Base of the gateway administration commands: target + gateway API client in one call. */
import { RackGatewayCommand } from "./base-command.js";
import type { GatewayApi } from "./gateway-api.js";

export abstract class AdminCommand extends RackGatewayCommand {
  protected async openGateway(flags: { rack?: string | undefined }): Promise<GatewayApi> {
    return this.gatewayApi(await this.target(flags.rack));
  }
}
