/**
 * Helpers shared by the rack-proxy tests: raw HTTP requests (fetch normalises `..` and `%2e%2e` in URLs, so
 * path-traversal tests need node:http), audit lookups by request id, and hostile upstreams on loopback.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuditEvent } from "@rack-gateway/audit-chain";
import type { Harness } from "./harness.js";

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** Sends exactly `path` (no URL normalisation) with exactly `headers` to the gateway. */
export function rawRequest(
  baseUrl: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers ?? {},
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

/** The committed audit events of one request (the gateway's X-Request-Id), oldest first. */
export async function eventsOf(
  harness: Harness,
  requestId: string | null | undefined,
): Promise<AuditEvent[]> {
  if (!requestId) throw new TypeError("eventsOf: the response carried no X-Request-Id");
  const records = await harness.auditRecords();
  return records.filter((record) => record.event.requestId === requestId).map((record) => record.event);
}

/** Everything the audit trail holds, as text: the committed records and the stdout JSON lines. */
export async function allAuditText(harness: Harness): Promise<string> {
  const records = await harness.auditRecords();
  return `${JSON.stringify(records)}\n${harness.auditLines.join("\n")}`;
}

/** Starts a plain node:http server on 127.0.0.1 (a hostile or broken rack). */
export async function startLoopbackServer(
  handler: http.RequestListener,
): Promise<{ server: http.Server; url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
