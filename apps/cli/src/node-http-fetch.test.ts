import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchWithNodeHttp } from "./index.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      if (req.url === "/redirect") {
        res.writeHead(302, { Location: "/elsewhere" }).end("moved");
      } else if (req.url === "/empty") {
        res.writeHead(204).end();
      } else {
        res.setHeader("Set-Cookie", ["a=1", "b=2"]);
        res.writeHead(201, "Made", { "Content-Type": "application/json" });
        res.end(req.method === "HEAD" ? undefined : JSON.stringify({ bytes: Buffer.concat(chunks).length }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function lastSeen(): Seen {
  const last = seen.at(-1);
  if (last === undefined) throw new Error("the server saw no request");
  return last;
}

describe("fetchWithNodeHttp", () => {
  it("sends the method, headers and query and answers with status, status text, headers and body", async () => {
    const response = await fetchWithNodeHttp(`${base}/apps?`, {
      headers: { Authorization: "Bearer t", "User-Agent": "rack-gateway-cli/test" },
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Made");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.json()).toEqual({ bytes: 0 });
    const request = lastSeen();
    expect(request).toMatchObject({ method: "GET", url: "/apps?" });
    expect(request.headers.authorization).toBe("Bearer t");
    expect(request.headers["user-agent"]).toBe("rack-gateway-cli/test");
    expect(request.headers["accept-encoding"]).toBeUndefined();
  });

  it("sends a small body with Content-Length, as fetch does for a string", async () => {
    const response = await fetchWithNodeHttp(`${base}/form`, { method: "POST", body: "a=1&b=two" });
    expect(await response.json()).toEqual({ bytes: 9 });
    const request = lastSeen();
    expect(request.headers["content-length"]).toBe("9");
    expect(request.headers["transfer-encoding"]).toBeUndefined();
    expect(request.body.toString()).toBe("a=1&b=two");
  });

  it("streams a large body chunked, byte for byte, from a Request as the rack client builds it", async () => {
    const piece = new Uint8Array(48 * 1024).map((_, index) => index % 251);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let count = 0; count < 5; count += 1) controller.enqueue(piece);
        controller.close();
      },
    });
    const request = new Request(`${base}/objects/tmp/app.tgz?`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/octet-stream" },
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    const response = await fetchWithNodeHttp(request);
    expect(await response.json()).toEqual({ bytes: 5 * piece.length });
    const received = lastSeen();
    expect(received.headers["transfer-encoding"]).toBe("chunked");
    expect(received.headers["content-type"]).toBe("application/octet-stream");
    expect(received.body.equals(Buffer.concat(Array.from({ length: 5 }, () => piece)))).toBe(true);
  });

  it("gives no body for 204 and HEAD answers", async () => {
    const empty = await fetchWithNodeHttp(`${base}/empty`, { method: "DELETE" });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const head = await fetchWithNodeHttp(`${base}/apps`, { method: "HEAD" });
    expect(head.status).toBe(201);
    expect(head.body).toBeNull();
  });

  it("returns a redirect instead of following it", async () => {
    const response = await fetchWithNodeHttp(`${base}/redirect`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/elsewhere");
    expect(await response.text()).toBe("moved");
    expect(lastSeen().url).toBe("/redirect");
  });

  it("rejects like fetch when nothing listens: TypeError('fetch failed') caused by the socket error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await fetchWithNodeHttp(`http://127.0.0.1:${port}/apps`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe("fetch failed");
    expect(((failure as TypeError).cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("rejects with the signal's reason when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(fetchWithNodeHttp(`${base}/apps`, { signal: controller.signal })).rejects.toThrow("stop");
  });

  it("refuses URLs that are not http: or https:", async () => {
    await expect(fetchWithNodeHttp("file:///etc/passwd")).rejects.toThrow(/pass an http: or https: URL/);
  });
});
