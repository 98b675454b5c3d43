// Raw loopback HTTP and websocket helpers: unlike fetch they send paths byte for byte (`/apps?`).
import { request } from "node:http";
import WebSocket from "ws";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function basic(password: string, username = "convox"): string {
  return `Basic ${Buffer.from(`${username}:${encodeURIComponent(password)}`).toString("base64")}`;
}

export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

export type Frame = { text: string } | { binary: Uint8Array };

export interface RawSocket {
  socket: WebSocket;
  /** Frames received so far. */
  frames: Frame[];
  /** Resolves with all frames once the rack sends the empty binary EOF frame. */
  untilEof: Promise<Frame[]>;
}

/** Opens a websocket; rejects with `{ status, body }` when the upgrade is refused. */
export function openRawSocket(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawSocket> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${url.host}${path}`, { headers, perMessageDeflate: false });
    const frames: Frame[] = [];
    let eof: (frames: Frame[]) => void = () => undefined;
    const untilEof = new Promise<Frame[]>((done) => {
      eof = done;
    });
    socket.on("message", (data, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      frames.push(isBinary ? { binary: new Uint8Array(bytes) } : { text: bytes.toString("utf8") });
      if (isBinary && bytes.length === 0) eof(frames);
    });
    socket.on("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        reject({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        socket.terminate();
      });
    });
    socket.on("error", () => undefined);
    socket.on("open", () => resolve({ socket, frames, untilEof }));
  });
}

export function texts(frames: Frame[]): string[] {
  return frames.flatMap((frame) => ("text" in frame ? [frame.text] : []));
}
