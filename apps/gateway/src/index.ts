/** @module @rack-gateway/gateway — the gateway server, for embedding and tests */

export type { AppEnv } from "./app.js";
export { createApp } from "./app.js";
export type { GatewayConfig, OperatorConfig } from "./config/config.js";
export { ConfigError, loadConfig, loadOperatorConfig } from "./config/config.js";
export type { OpenDatabaseOptions, OpenedDatabase } from "./db/open.js";
export { openDatabase } from "./db/open.js";
export type { GatewayDeps } from "./deps.js";
export type { RunningGateway, StartGatewayOptions } from "./main.js";
export { startGateway } from "./main.js";
export type { GatewayServer } from "./server.js";
export { createGatewayServer } from "./server.js";
