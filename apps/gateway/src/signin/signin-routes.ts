/**
 * Every sign-in endpoint in one module for `app.route`: browser and CLI loopback sign-in, the device-code
 * flow, the landing page and logout. The route guard (api/gateway-routes.ts) decides who may call each.
 */
import { Hono } from "hono";
import type { GatewayDeps } from "../deps.js";
import type { AppEnv } from "../http/identity.js";
import { browserSignInRoutes } from "./browser-routes.js";
import { cliTokenRoutes } from "./cli-token-routes.js";
import { deviceRoutes } from "./device-routes.js";
import { sessionRoutes } from "./session-routes.js";

export function signInRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  app.route("/", browserSignInRoutes(deps));
  app.route("/", cliTokenRoutes(deps));
  app.route("/", deviceRoutes(deps));
  app.route("/", sessionRoutes(deps));
  return app;
}
