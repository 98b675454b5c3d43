/** Sign-in with a device code (RFC 8628): show a code, poll until the person approves it in a browser. */
import { setTimeout as sleep } from "node:timers/promises";
import { CliError } from "./cli-error.js";
import { EXIT } from "./exit-codes.js";
import type { DeviceStart, GatewayApi, SignedIn } from "./gateway-api.js";

export interface DeviceLoginOptions {
  api: GatewayApi;
  deviceName: string;
  present: (start: DeviceStart) => Promise<void>;
}

export async function signInWithDeviceCode(options: DeviceLoginOptions): Promise<SignedIn> {
  const start = await options.api.startDeviceSignIn(options.deviceName);
  await options.present(start);
  // RFC 8628 §3.2: 5 seconds when the server does not say.
  let intervalSeconds = start.interval ?? 5;
  const deadline = Date.now() + start.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(intervalSeconds * 1000);
    const poll = await options.api.pollDeviceSignIn(start.device_code);
    switch (poll.status) {
      case "signed-in":
        return poll.signedIn;
      case "authorization_pending":
        break;
      case "slow_down":
        // RFC 8628 §3.5: add 5 seconds to every later poll.
        intervalSeconds += 5;
        break;
      case "access_denied":
        throw new CliError("the sign-in was denied in the browser", EXIT.AUTH, "SIGN_IN_DENIED");
      case "expired_token":
        throw new CliError(
          "the code expired before it was approved; run login again",
          EXIT.AUTH,
          "SIGN_IN_EXPIRED",
        );
    }
  }
  throw new CliError(
    "the code expired before it was approved; run login again",
    EXIT.AUTH,
    "SIGN_IN_EXPIRED",
  );
}
