/** @module @rack-gateway/cli — the `rack-gateway` command's building blocks (the binary is bin/run.js) */

export { resolveAppName } from "./app-name.js";
export type { FailureContext } from "./cli-error.js";
export { CliError, describeFailure } from "./cli-error.js";
export type { CompletionCommand } from "./completion-scripts.js";
export { bashCompletion, fishCompletion, zshCompletion } from "./completion-scripts.js";
export type { CliConfig, RackEntry, ReadConfigResult } from "./config-store.js";
export {
  ConfigFileError,
  configPathOf,
  emptyConfig,
  readConfig,
  validateAlias,
  writeConfig,
} from "./config-store.js";
export { CONVOX_MISSING_MESSAGE, convoxEnvironment } from "./convox-wrap.js";
export { EXIT } from "./exit-codes.js";
export type {
  DevicePoll,
  DeviceStart,
  GatewayApi,
  GatewayApiOptions,
  GrantInfo,
  MeInfo,
  SessionInfo,
  SignedIn,
} from "./gateway-api.js";
export { createGatewayApi, GatewayApiError, GatewayConnectionError } from "./gateway-api.js";
export { fetchWithNodeHttp } from "./node-http-fetch.js";
export { formatRelative, formatTable } from "./output.js";
export { challengeOf, createPkcePair, createState } from "./pkce.js";
export { createProgressBar, formatBytes, renderProgress } from "./progress-bar.js";
export { dockerignoreToGitignore, listContextFiles, writeContextTarball } from "./tarball.js";
export type { Target } from "./target.js";
export { normalizeGatewayUrl, rackUrlOf, resolveTarget } from "./target.js";
