import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { framedHeaders, responseHeaderList } from "./rack-forwarder.js";

describe("framedHeaders", () => {
  const stream = () => Readable.from([Buffer.from("x")]);
  const send = (headers: Record<string, string>, body: Buffer | Readable | null) =>
    framedHeaders({ method: "DELETE", path: "/apps/a", headers, body });

  it("sends no length for no body, even when the client declared one", () => {
    expect(send({ "content-length": "5", accept: "*/*" }, null)).toEqual({ accept: "*/*" });
    expect(send({ "Transfer-Encoding": "chunked" }, null)).toEqual({});
  });

  it("frames a buffer by its own length, whatever the client said", () => {
    expect(send({ "Content-Length": "999" }, Buffer.from("abc"))).toEqual({ "content-length": "3" });
  });

  it("keeps a client's numeric Content-Length for a stream, and chunks a stream without one", () => {
    expect(send({ "content-length": "1" }, stream())).toEqual({ "content-length": "1" });
    expect(send({}, stream())).toEqual({ "transfer-encoding": "chunked" });
    expect(send({ "transfer-encoding": "gzip, chunked" }, stream())).toEqual({
      "transfer-encoding": "chunked",
    });
    expect(send({ "content-length": "1, 1" }, stream())).toEqual({ "transfer-encoding": "chunked" });
  });
});

describe("responseHeaderList", () => {
  it("keeps the rack's headers (casing and repeats included) minus hop-by-hop, cookies and replaced names", () => {
    const raw = [
      "Content-Type",
      "application/json",
      "Set-Cookie",
      "rack_session=abc",
      "Connection",
      "keep-alive",
      "Transfer-Encoding",
      "chunked",
      "X-Frame-Options",
      "ALLOWALL",
      "x-request-id",
      "rack-chosen",
      "Vary",
      "Accept",
      "Vary",
      "Origin",
    ];
    const list = responseHeaderList(raw, new Set(["x-frame-options", "x-request-id"]), [
      "X-Frame-Options",
      "DENY",
      "X-Request-Id",
      "req-1",
    ]);
    expect(list).toEqual([
      "Content-Type",
      "application/json",
      "Vary",
      "Accept",
      "Vary",
      "Origin",
      "X-Frame-Options",
      "DENY",
      "X-Request-Id",
      "req-1",
    ]);
  });

  it("ignores a dangling name without a value", () => {
    expect(responseHeaderList(["X-Odd"], new Set(), [])).toEqual([]);
  });
});
