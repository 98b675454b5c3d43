/**
 * Websockets through the gateway read the way the convox CLI reads them: every frame until the connection
 * closes, keeping whether each was text or binary (an empty binary frame is end of stream; RFC 6455 §5.6).
 */
import WebSocket from "ws";
import { basicAuth, type Harness } from "./harness.js";

export interface Frame {
  readonly text: string;
  readonly binary: boolean;
  readonly bytes: number;
}

export interface SocketTranscript {
  readonly frames: Frame[];
  readonly closeCode: number;
  /** The text frames joined. */
  readonly output: string;
  /** True when the last frame was the empty binary end-of-stream frame. */
  readonly endedWithEof: boolean;
}

/** A socket whose frames are recorded from the moment it is created, so none can be missed. */
export interface RecordedSocket {
  readonly socket: WebSocket;
  /** Settles when the connection closes. */
  readonly transcript: Promise<SocketTranscript>;
}

/** Why the gateway refused an upgrade: its HTTP status and body. */
export class UpgradeRefused extends Error {
  override readonly name = "UpgradeRefused";
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}

/**
 * Opens a websocket through the gateway's rack proxy as the convox CLI does (Basic auth, Origin = the
 * gateway's origin, the path ending in `?`). Unlike `harness.openSocket`, listeners are attached before the
 * handshake, because frames may arrive in the same TCP segment as the 101 answer.
 * Rejects with {@link UpgradeRefused} when the upgrade is refused.
 */
export function openRecordedSocket(
  harness: Harness,
  token: string,
  path: string,
  headers: Record<string, string> = {},
  onFrame: (frame: Frame, socket: WebSocket) => void = () => {},
): Promise<RecordedSocket> {
  const socket = new WebSocket(`${harness.proxyUrl.replace(/^http/, "ws")}${path}`, {
    headers: {
      Authorization: basicAuth(token),
      "User-Agent": "convox.go/3.19.0",
      Version: "3.19.0",
      ...headers,
    },
    origin: harness.gatewayUrl,
  });
  const frames: Frame[] = [];
  socket.on("message", (data: Buffer, binary: boolean) => {
    const frame = { text: binary ? "" : data.toString("utf8"), binary, bytes: data.length };
    frames.push(frame);
    onFrame(frame, socket);
  });
  const transcript = new Promise<SocketTranscript>((resolve) => {
    socket.once("close", (closeCode) => {
      const last = frames.at(-1);
      resolve({
        frames,
        closeCode,
        output: frames.map((frame) => frame.text).join(""),
        endedWithEof: last?.binary === true && last.bytes === 0,
      });
    });
  });
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket, transcript }));
    socket.once("unexpected-response", (_request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        reject(new UpgradeRefused(response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))),
      );
    });
    socket.once("error", reject);
  });
}

/** Opens, then returns the refusal, or null (closing the socket) when the upgrade succeeded. */
export async function refusalOf(open: Promise<RecordedSocket>): Promise<UpgradeRefused | null> {
  try {
    const { socket } = await open;
    socket.terminate();
    return null;
  } catch (error) {
    if (error instanceof UpgradeRefused) return error;
    throw error;
  }
}
