/** @module @rack-gateway/convox-client/testing — an in-memory Convox rack speaking the real wire protocol */

export type { FakeRack, FakeRackOptions, RecordedRequest } from "./fake-rack.js";
export { startFakeRack } from "./fake-rack.js";
export type {
  FakeAppSeed,
  FakeLogLine,
  FakeObject,
  FakeRackState,
  FakeServiceSeed,
} from "./fake-rack-model.js";
export { DEFAULT_FAKE_APPS } from "./fake-rack-model.js";
