import type { IncomingHttpHeaders } from "node:http";
import type { WebSocket } from "ws";
import { formatExitFrame, parseEnv } from "../protocol.js";
import { parseGoBool, parseGoDurationMs, readHeader } from "./fake-rack-context.js";
import type { FakeLogLine, FakeRackModel } from "./fake-rack-model.js";
import { formatTime } from "./fake-rack-model.js";
import type { RouteEntry } from "./route-table.js";

/** A websocket handler's view of one upgraded connection. */
export interface SocketContext {
  socket: WebSocket;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  model: FakeRackModel;
  /** Calls `listener` for each line emitted for `app` until the returned function is called. */
  subscribeLogs(app: string, listener: (line: FakeLogLine) => void): () => void;
  /** Resolves when the build is no longer running (or after `closed`). */
  waitForBuild(buildId: string, closed: Promise<void>): Promise<void>;
  /** Resolves after `ms`, or as soon as the socket closes. */
  sleep(ms: number, closed: Promise<void>): Promise<void>;
  /** Settles when the client's side of the socket is gone. */
  closed: Promise<void>;
}

/** Handlers return when their output is complete; the caller then sends EOF. */
export type SocketHandler = (context: SocketContext) => Promise<void>;

/** Output to the client: a text frame, as the rack writes it. */
function write(context: SocketContext, text: string): void {
  if (context.socket.readyState === context.socket.OPEN) context.socket.send(text);
}

/** A failed handler: `ERROR: …` text frame (the empty binary EOF frame follows, as in stdapi). */
class SocketFailure extends Error {}

function requireApp(context: SocketContext) {
  const app = context.model.state.apps.get(context.params.app ?? "");
  if (app === undefined) throw new SocketFailure(`app not found: ${context.params.app ?? ""}`);
  return app;
}

/** Formats a log line with the `Prefix` header's timestamp and source, as convox does. */
export function formatLogLine(line: FakeLogLine, prefix: boolean): string {
  return prefix ? `${formatTime(line.at)} ${line.source} ${line.message}\n` : `${line.message}\n`;
}

async function appLogs(context: SocketContext): Promise<void> {
  const app = requireApp(context);
  const follow = parseGoBool(readHeader(context.headers, "Follow")) ?? false;
  const prefix = parseGoBool(readHeader(context.headers, "Prefix")) ?? false;
  const since = readHeader(context.headers, "Since");
  const tail = readHeader(context.headers, "Tail");
  const sinceMs = since === undefined || since === "" ? undefined : parseGoDurationMs(since);
  if (sinceMs === undefined && since !== undefined && since !== "")
    throw new SocketFailure(`invalid since: ${since}`);
  const cutoff = sinceMs === undefined ? -Infinity : context.model.now().getTime() - sinceMs;
  let lines = context.model.state.logs.filter((line) => line.app === app.name && line.at.getTime() >= cutoff);
  if (tail !== undefined && /^\d+$/.test(tail)) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
  for (const line of lines) write(context, formatLogLine(line, prefix));
  if (!follow) return;
  const unsubscribe = context.subscribeLogs(app.name, (line) => write(context, formatLogLine(line, prefix)));
  await context.closed;
  unsubscribe();
}

async function buildLogs(context: SocketContext): Promise<void> {
  const app = requireApp(context);
  const build = context.model.state.builds.find((b) => b.app === app.name && b.id === context.params.id);
  if (build === undefined) throw new SocketFailure(`build not found: ${context.params.id ?? ""}`);
  write(context, `Building: ${app.name}\n`);
  write(context, "Step 1/2 : FROM node:20-slim\n");
  write(context, "Step 2/2 : COPY . /app\n");
  await context.waitForBuild(build.id, context.closed);
  if (build.status === "complete") write(context, `Build: ${build.id}\nRelease: ${build.release}\n`);
  else write(context, `Build ${build.status}\n`);
}

/** Splits a command line into words, honouring single and double quotes. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    words.push(match[1]?.replace(/\\(.)/g, "$1") ?? match[2] ?? match[3] ?? "");
  }
  return words;
}

function readStdin(context: SocketContext): AsyncIterable<string> {
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const resume = () => {
    const next = wake;
    wake = undefined;
    next?.();
  };
  context.socket.on("message", (data, isBinary) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    // An empty binary frame is stdin EOF.
    if (isBinary && bytes.length === 0) ended = true;
    else queue.push(bytes.toString("utf8"));
    resume();
  });
  context.closed.then(() => {
    ended = true;
    resume();
  });
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) yield next;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/** The tiny interpreter behind exec: echo, cat, env, exit N, sleep MS; anything else exits 127. */
async function interpret(context: SocketContext, words: string[], env: string, stdin: AsyncIterable<string>) {
  const [name, ...args] = words;
  switch (name) {
    case undefined:
      return 0;
    case "echo":
      write(context, `${args.join(" ")}\n`);
      return 0;
    case "cat":
      for await (const chunk of stdin) write(context, chunk);
      return 0;
    case "env":
      for (const [key, value] of Object.entries(parseEnv(env))) write(context, `${key}=${value}\n`);
      return 0;
    case "exit":
      return /^\d+$/.test(args[0] ?? "0") ? Number(args[0] ?? "0") % 256 : 2;
    case "sleep":
      await context.sleep(Number(args[0] ?? "0") || 0, context.closed);
      return 0;
    default:
      write(context, `${name}: command not found\n`);
      return 127;
  }
}

async function processExec(context: SocketContext): Promise<void> {
  const app = requireApp(context);
  const stdin = readStdin(context);
  const process = context.model.state.processes.find(
    (p) => p.app === app.name && p.id === context.params.pid,
  );
  if (process === undefined) throw new SocketFailure(`process not found: ${context.params.pid ?? ""}`);
  const release = context.model.state.releases.find((r) => r.app === app.name && r.id === process.release);
  const command = readHeader(context.headers, "Command") ?? "";
  const code = await interpret(context, splitCommand(command), release?.env ?? "", stdin);
  write(context, formatExitFrame(code));
}

function oneLine(text: (context: SocketContext) => string): SocketHandler {
  return async (context) => {
    if (context.params.app !== undefined) requireApp(context);
    write(context, `${text(context)}\n`);
  };
}

/** Every SOCKET route of the rack API. */
export const SOCKET_ROUTES: RouteEntry<SocketHandler>[] = [
  { method: "GET", pattern: "/apps/{app}/logs", handler: appLogs },
  { method: "GET", pattern: "/apps/{app}/builds/{id}/logs", handler: buildLogs },
  { method: "GET", pattern: "/apps/{app}/processes/{pid}/exec", handler: processExec },
  {
    method: "GET",
    pattern: "/apps/{app}/processes/{pid}/logs",
    handler: oneLine((c) => `log of process ${c.params.pid}`),
  },
  {
    method: "GET",
    pattern: "/apps/{app}/services/{service}/logs",
    handler: oneLine((c) => `log of service ${c.params.service}`),
  },
  {
    method: "GET",
    pattern: "/apps/{app}/resources/{name}/console",
    handler: oneLine((c) => `console of ${c.params.name}`),
  },
  { method: "GET", pattern: "/system/logs", handler: oneLine(() => "rack log line") },
  { method: "GET", pattern: "/instances/{id}/shell", handler: oneLine((c) => `shell on ${c.params.id}`) },
  {
    method: "GET",
    pattern: "/proxy/{host}/{port}",
    handler: oneLine((c) => `proxy to ${c.params.host}:${c.params.port}`),
  },
];

/** Runs `handler`, turns failures into an `ERROR:` frame and always ends with the EOF frame. */
export async function runSocketHandler(handler: SocketHandler, context: SocketContext): Promise<void> {
  try {
    await handler(context);
  } catch (error) {
    write(context, `ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  if (context.socket.readyState === context.socket.OPEN) {
    context.socket.send(new Uint8Array(0), { binary: true });
    context.socket.close(1000, "");
  }
}
