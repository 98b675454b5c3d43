/**
 * The baseline: the smallest honest Node reverse proxy (http.request + pipe over a keep-alive agent), with no
 * authentication, authorization or audit. The gateway's overhead is measured against this.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface BareProxy {
  readonly url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startBareProxy(target: URL): Promise<BareProxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: "lifo" });
  const server = http.createServer((req, res) => {
    const headers = { ...endToEnd(req.headers), host: target.host };
    // A GET is sent again once when a kept-alive connection turns out to be closed (the rack's idle timeout racing
    // the request), as the gateway does: otherwise the baseline fails requests the gateway does not, at random.
    const send = (retry: boolean) => {
      const upstream = http.request(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (response) => {
          res.writeHead(response.statusCode ?? 502, endToEnd(response.headers));
          response.pipe(res);
        },
      );
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        if (retry && upstream.reusedSocket && error.code === "ECONNRESET" && req.method === "GET") {
          send(false);
          return;
        }
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      if (req.method === "GET") upstream.end();
      else req.pipe(upstream);
    };
    if (req.method === "GET") req.resume();
    send(true);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
