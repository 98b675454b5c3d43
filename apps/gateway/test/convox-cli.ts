/**
 * Requests exactly as the stock convox CLI puts them on the wire (CONVOX-API.md "How a client reaches a rack"):
 * the URL-escaped password in Basic auth, `User-Agent`/`Version`/`Accept`, a `Content-Type` on every request,
 * form bodies, and every path ending in `?` even with no query. Built on node:http because fetch drops an
 * empty query string. Also builds the gzip'd tarball `convox build` uploads.
 */
import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { basicAuth } from "./harness.js";

export const CLI_VERSION = "3.19.0";

export interface CliResponse {
  readonly status: number;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface CliRequestOptions {
  readonly form?: Record<string, string>;
  readonly body?: Uint8Array;
  readonly headers?: Record<string, string>;
}

/** Sends one request to `proxyUrl + path` (path as the CLI builds it, e.g. `/apps?`) with `token`. */
export function sendCliRequest(
  proxyUrl: string,
  token: string | null,
  method: string,
  path: string,
  options: CliRequestOptions = {},
): Promise<CliResponse> {
  const url = new URL(proxyUrl);
  const body = options.form
    ? Buffer.from(new URLSearchParams(options.form).toString())
    : Buffer.from(options.body ?? new Uint8Array());
  const headers: Record<string, string> = {
    "User-Agent": `convox.go/${CLI_VERSION}`,
    Version: CLI_VERSION,
    Accept: "*/*",
    "Content-Type": options.form ? "application/x-www-form-urlencoded" : "application/octet-stream",
    "Content-Length": String(body.length),
    ...(token === null ? {} : { Authorization: basicAuth(token) }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { hostname: url.hostname, port: url.port, method, path: `${url.pathname}${path}`, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, text, json: () => JSON.parse(text) });
        });
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** One ustar header block (POSIX.1-1988 tar): name, octal mode/size/mtime, checksum over the block. */
function tarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, length, "ascii");
  const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, "0")}\0`;
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtimeSeconds, 12), 136, 12);
  put("        ", 148, 8);
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  put(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return header;
}

/** A gzip'd tar of `files`, like the context tarball `convox build` uploads. */
export function createTarball(files: Record<string, string>, mtimeSeconds = 1_700_000_000): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const bytes = Buffer.from(content, "utf8");
    blocks.push(
      tarHeader(name, bytes.length, mtimeSeconds),
      bytes,
      Buffer.alloc((512 - (bytes.length % 512)) % 512),
    );
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
