/** @module @rack-gateway/convox-client — typed Convox rack API client, REST and websocket streams */
export type {
  ConvoxClient,
  ConvoxClientOptions,
  EnvChangeOptions,
  EnvChangeResult,
  ExecOptions,
  RunOptions,
  StreamLogsOptions,
  UploadObjectOptions,
} from "./client.js";
export { createConvoxClient } from "./client.js";
export { ConvoxConnectionError, ConvoxHttpError, ConvoxResponseError, ConvoxStreamError } from "./errors.js";
export {
  CONVOX_API_VERSION,
  decodeBasicAuthPassword,
  EXIT_CODE_MARKER,
  encodeBasicAuth,
  formatEnv,
  formatExitFrame,
  parseEnv,
  parseExitFrame,
  STREAM_ERROR_PREFIX,
} from "./protocol.js";
export type { ConvoxParamValue, ConvoxRequestSpec } from "./request.js";
export type { ConvoxSocketRequest, ExecStreamOptions } from "./stream.js";
export type {
  ConvoxApp,
  ConvoxBuild,
  ConvoxObject,
  ConvoxProcess,
  ConvoxRelease,
  ConvoxService,
  ConvoxServicePort,
  ConvoxSystem,
} from "./types.js";
export type { OpenWebSocket, WebSocketLike, WsSocketFactoryOptions } from "./websocket.js";
export { createWsSocketFactory } from "./websocket.js";
