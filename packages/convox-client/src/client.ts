import { ConvoxHttpError } from "./errors.js";
import { formatEnv, parseEnv } from "./protocol.js";
import type { ConvoxParamValue, ConvoxRequestSpec } from "./request.js";
import {
  buildRequest,
  createEndpoint,
  escapeObjectKey,
  readJson,
  escapePathSegment as seg,
  sendRequest,
} from "./request.js";
import type { ConvoxSocketRequest, ExecStreamOptions } from "./stream.js";
import { buildSocketRequest, readTextFrames, relayExec } from "./stream.js";
import type {
  ConvoxApp,
  ConvoxBuild,
  ConvoxObject,
  ConvoxProcess,
  ConvoxRelease,
  ConvoxService,
  ConvoxSystem,
} from "./types.js";
import type { OpenWebSocket } from "./websocket.js";

/** Options of {@link createConvoxClient}. */
export interface ConvoxClientOptions {
  /** Rack base URL, e.g. `https://rack.example.com` or `http://127.0.0.1:8447/api/v1/rack-proxy`. */
  url: string;
  /** Rack password (or gateway token); sent URL-escaped in Basic auth as the convox CLI does. */
  password: string;
  fetch: typeof fetch;
  openWebSocket: OpenWebSocket;
  /** Default `rack-gateway-cli/0.1.0`. */
  userAgent?: string;
}

/** Options of {@link ConvoxClient.exec}. */
export interface ExecOptions extends ExecStreamOptions {
  /** Allocate a TTY (`Tty` header). Default `false`. */
  tty?: boolean;
  width?: number;
  height?: number;
  /** Run through the image's entrypoint (`Entrypoint` header). */
  entrypoint?: boolean;
}

/** Options of {@link ConvoxClient.run}. */
export interface RunOptions extends Omit<ExecOptions, "entrypoint"> {
  /** How long the helper process may live, sent as `sleep <n>` like the CLI. Default 3600. */
  timeoutSeconds?: number;
  /** Release to run (`Release` header). */
  release?: string;
}

/** Options of {@link ConvoxClient.streamLogs}. */
export interface StreamLogsOptions {
  /** Keep streaming new lines until the iteration stops. Default `false`. */
  follow?: boolean;
  /** Go duration such as `5s`, `10m`, `2h`. */
  since?: string;
  /** Prefix lines with timestamp and source. */
  prefix?: boolean;
  /** Only the last N lines. */
  tail?: number;
}

/** Options of setEnv / unsetEnv. */
export interface EnvChangeOptions {
  /** Promote the new release. Default `false`, like `convox env set`. */
  promote?: boolean;
}

/** Answer of setEnv / unsetEnv. */
export interface EnvChangeResult {
  release: ConvoxRelease;
  promoted: boolean;
}

/** Options of {@link ConvoxClient.uploadObject}. */
export interface UploadObjectOptions {
  /** Called with the total bytes handed to the network so far. */
  onProgress?: (sentBytes: number) => void;
}

/** Typed client of the Convox v3 rack API. */
export type ConvoxClient = ReturnType<typeof createConvoxClient>;

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * Creates a client for a rack (or a gateway's rack proxy: a path prefix in `url` is kept for HTTP and
 * websocket calls). Every request carries the headers the convox CLI sends.
 *
 * @example
 * const rack = createConvoxClient({ url, password, fetch, openWebSocket: createWsSocketFactory() });
 * for (const app of await rack.listApps()) console.log(app.name, app.status);
 */
export function createConvoxClient(options: ConvoxClientOptions) {
  const endpoint = createEndpoint(
    options.url,
    options.password,
    options.userAgent ?? "rack-gateway-cli/0.1.0",
  );
  const send = (spec: ConvoxRequestSpec) => sendRequest(options.fetch, buildRequest(endpoint, spec));
  const get = async <T>(path: string, query?: Record<string, ConvoxParamValue>, empty?: T) =>
    readJson<T>(await send({ method: "GET", path, ...(query ? { query } : {}) }), empty);
  const discard = async (spec: ConvoxRequestSpec) => {
    const response = await send(spec);
    await response.body?.cancel();
  };
  const openSocket = (request: ConvoxSocketRequest) =>
    options.openWebSocket(request.url, { headers: request.headers });
  const appPath = (app: string) => `/apps/${seg(app)}`;

  const client = {
    /** Builds (does not send) a rack request with the CLI's headers. */
    buildRequest: (spec: ConvoxRequestSpec): Request => buildRequest(endpoint, spec),
    /** Builds (does not open) a websocket call with the CLI's headers and Origin. */
    buildSocketRequest: (path: string, headers?: Record<string, ConvoxParamValue>): ConvoxSocketRequest =>
      buildSocketRequest(endpoint, path, headers),
    /** Sends any request; throws ConvoxHttpError on status ≥ 400. */
    send,

    /** `GET /check`: resolves when the rack answers (no credentials needed). */
    async check(): Promise<void> {
      await discard({ method: "GET", path: "/check" });
    },
    /** `GET /auth`: resolves when the credentials are accepted; ConvoxHttpError 401 otherwise. */
    async auth(): Promise<void> {
      await discard({ method: "GET", path: "/auth" });
    },
    system: () => get<ConvoxSystem>("/system"),
    listApps: () => get<ConvoxApp[]>("/apps", undefined, []),
    getApp: (app: string) => get<ConvoxApp>(appPath(app)),

    listProcesses: (app: string, filter: { service?: string; release?: string } = {}) =>
      get<ConvoxProcess[]>(`${appPath(app)}/processes`, filter, []),
    getProcess: (app: string, pid: string) => get<ConvoxProcess>(`${appPath(app)}/processes/${seg(pid)}`),
    stopProcess: (app: string, pid: string) =>
      discard({ method: "DELETE", path: `${appPath(app)}/processes/${seg(pid)}` }),

    listServices: (app: string) => get<ConvoxService[]>(`${appPath(app)}/services`, undefined, []),
    restartService: (app: string, service: string) =>
      discard({ method: "POST", path: `${appPath(app)}/services/${seg(service)}/restart` }),
    /** Restarts every service of `app`, one after the other like `convox restart`; returns their names. */
    async restartApp(app: string): Promise<string[]> {
      const names = (await client.listServices(app)).map((service) => service.name);
      for (const name of names) await client.restartService(app, name);
      return names;
    },
    scaleService(app: string, service: string, scale: { count?: number; cpu?: number; memory?: number }) {
      for (const [name, value] of Object.entries(scale)) {
        if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
          throw new RangeError(`scaleService: ${name} must be a non-negative integer, got ${value}`);
        }
      }
      return discard({ method: "PUT", path: `${appPath(app)}/services/${seg(service)}`, form: scale });
    },

    listReleases: (app: string, list: { limit?: number } = {}) =>
      get<ConvoxRelease[]>(`${appPath(app)}/releases`, list, []),
    getRelease: (app: string, id: string) => get<ConvoxRelease>(`${appPath(app)}/releases/${seg(id)}`),
    /** Env of the latest release, as the CLI reads it (masked values are kept verbatim). */
    async getEnv(app: string): Promise<Record<string, string>> {
      const [latest] = await client.listReleases(app, { limit: 1 });
      if (latest === undefined) return {};
      return parseEnv((await client.getRelease(app, latest.id)).env);
    },
    /** Like `convox env set`: reads the env, applies `changes`, posts the whole list as a new release. */
    async setEnv(app: string, changes: Record<string, string>, change: EnvChangeOptions = {}) {
      for (const key of Object.keys(changes)) {
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key))
          throw new TypeError(`setEnv: invalid env key ${JSON.stringify(key)}`);
      }
      return client.createEnvRelease(app, { ...(await client.getEnv(app)), ...changes }, change);
    },
    /** Like `convox env unset`: reads the env, drops `keys`, posts the whole list as a new release. */
    async unsetEnv(app: string, keys: readonly string[], change: EnvChangeOptions = {}) {
      const env = await client.getEnv(app);
      for (const key of keys) delete env[key];
      return client.createEnvRelease(app, env, change);
    },
    /** Posts `env` as the whole env of a new release, then promotes it when asked. */
    async createEnvRelease(
      app: string,
      env: Record<string, string>,
      change: EnvChangeOptions = {},
    ): Promise<EnvChangeResult> {
      const response = await send({
        method: "POST",
        path: `${appPath(app)}/releases`,
        form: { env: formatEnv(env) },
      });
      const release = await readJson<ConvoxRelease>(response);
      if (change.promote === true) await client.promoteRelease(app, release.id);
      return { release, promoted: change.promote === true };
    },
    promoteRelease: (app: string, id: string, promote: { force?: boolean } = {}) =>
      discard({
        method: "POST",
        path: `${appPath(app)}/releases/${seg(id)}/promote`,
        form: { force: promote.force ?? false },
      }),

    listBuilds: (app: string, list: { limit?: number } = {}) =>
      get<ConvoxBuild[]>(`${appPath(app)}/builds`, list, []),
    getBuild: (app: string, id: string) => get<ConvoxBuild>(`${appPath(app)}/builds/${seg(id)}`),
    /** Streams `body` to `POST /apps/{app}/objects/{key}` without buffering it. */
    async uploadObject(
      app: string,
      key: string,
      body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array,
      upload: UploadObjectOptions = {},
    ): Promise<ConvoxObject> {
      const stream =
        body instanceof Uint8Array && upload.onProgress === undefined ? body : countBytes(body, upload);
      const response = await send({
        method: "POST",
        path: `${appPath(app)}/objects/${escapeObjectKey(key)}`,
        body: stream,
      });
      return readJson<ConvoxObject>(response);
    },
    createBuild: async (app: string, build: { url: string; description?: string }) =>
      readJson<ConvoxBuild>(await send({ method: "POST", path: `${appPath(app)}/builds`, form: build })),

    /** Build output lines until the build's log stream ends. */
    streamBuildLogs(app: string, id: string): AsyncIterable<string> {
      const request = buildSocketRequest(endpoint, `${appPath(app)}/builds/${seg(id)}/logs`);
      return { [Symbol.asyncIterator]: () => readTextFrames(openSocket(request), request.url) };
    },
    /** App log frames; ends at end of stream, or when the loop stops when following. */
    streamLogs(app: string, logs: StreamLogsOptions = {}): AsyncIterable<string> {
      if (logs.since !== undefined && !GO_DURATION.test(logs.since)) {
        throw new TypeError(
          `streamLogs: since must be a Go duration such as "5s" or "10m", got ${logs.since}`,
        );
      }
      if (logs.tail !== undefined && (!Number.isInteger(logs.tail) || logs.tail < 0)) {
        throw new RangeError(`streamLogs: tail must be a non-negative integer, got ${logs.tail}`);
      }
      const request = buildSocketRequest(endpoint, `${appPath(app)}/logs`, {
        Follow: logs.follow ?? false,
        Since: logs.since,
        Prefix: logs.prefix,
        Tail: logs.tail,
      });
      return { [Symbol.asyncIterator]: () => readTextFrames(openSocket(request), request.url) };
    },
    /** Runs `command` in process `pid`; resolves with its exit code. */
    exec(app: string, pid: string, command: string, exec: ExecOptions = {}): Promise<{ exitCode: number }> {
      const request = buildSocketRequest(endpoint, `${appPath(app)}/processes/${seg(pid)}/exec`, {
        Command: command,
        Tty: exec.tty ?? false,
        Height: exec.height,
        Width: exec.width,
        Entrypoint: exec.entrypoint,
      });
      return relayExec(openSocket(request), request.url, exec);
    },
    /** Like `convox run`: starts a helper process, execs `command` in it, then stops the process. */
    async run(
      app: string,
      service: string,
      command: string,
      run: RunOptions = {},
    ): Promise<{ exitCode: number }> {
      const response = await send({
        method: "POST",
        path: `${appPath(app)}/services/${seg(service)}/processes`,
        headers: {
          Command: `sleep ${run.timeoutSeconds ?? 3600}`,
          Release: run.release,
          Height: run.height,
          Width: run.width,
        },
      });
      const process = await readJson<ConvoxProcess>(response);
      try {
        return await client.exec(app, process.id, command, { ...run, entrypoint: true });
      } finally {
        await client.stopProcess(app, process.id).catch((error: unknown) => {
          // The process may already be gone; anything else is worth surfacing.
          if (!(error instanceof ConvoxHttpError && error.status === 404)) throw error;
        });
      }
    },
  };
  return client;
}

function countBytes(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array,
  upload: UploadObjectOptions,
): ReadableStream<Uint8Array> {
  let sentBytes = 0;
  const iterator =
    body instanceof Uint8Array
      ? [body][Symbol.iterator]()
      : body instanceof ReadableStream
        ? body[Symbol.asyncIterator]()
        : body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done === true) {
        controller.close();
        return;
      }
      sentBytes += next.value.byteLength;
      controller.enqueue(next.value);
      upload.onProgress?.(sentBytes);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}
