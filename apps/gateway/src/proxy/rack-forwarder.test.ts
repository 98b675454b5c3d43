import { describe, expect, it } from "vitest";
import { responseHeaderList } from "./rack-forwarder.js";

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
