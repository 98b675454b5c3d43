// Threat: a caller without the rack password, or a cross-site page, drives the rack (and our tests would not notice).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, openRawSocket, rawRequest } from "../../test/raw-http.js";
import { type FakeRack, startFakeRack } from "./index.js";

const password = "p@ss/w0rd %";
let rack: FakeRack;
let host: string;

beforeAll(async () => {
  rack = await startFakeRack({ password });
  host = new URL(rack.url).host;
});
afterAll(() => rack.close());

describe("fake rack authentication", () => {
  it("accepts the percent-encoded password with any username", async () => {
    for (const username of ["convox", "anything", ""]) {
      const answer = await rawRequest(rack.url, "GET", "/apps?", {
        headers: { Authorization: basic(password, username) },
      });
      expect(answer.status).toBe(200);
    }
  });

  it.each([
    ["no header", {}],
    ["a wrong password", { Authorization: basic("p@ss/w0rd") }],
    [
      "the password not percent-encoded",
      { Authorization: `Basic ${Buffer.from(`convox:${password}`).toString("base64")}` },
    ],
    ["a Bearer token", { Authorization: `Bearer ${password}` }],
    ["garbage", { Authorization: "Basic ###" }],
  ])(
    "answers 401 with the rack's body and challenge for %s",
    async (_label, headers: Record<string, string>) => {
      const answer = await rawRequest(rack.url, "GET", "/system?", { headers });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ error: "invalid authentication" });
      expect(answer.headers["www-authenticate"]).toBe('Basic realm="convox"');
    },
  );

  it("answers /check without credentials but nothing else", async () => {
    expect(await rawRequest(rack.url, "GET", "/check")).toMatchObject({ status: 200, body: "ok\n" });
    expect((await rawRequest(rack.url, "GET", "/auth?")).status).toBe(401);
    expect((await rawRequest(rack.url, "POST", "/apps", { body: "name=evil" })).status).toBe(401);
    expect(rack.state.apps.has("evil")).toBe(false);
  });

  it("refuses a websocket upgrade without the password with 401", async () => {
    const refusal = await openRawSocket(rack.url, "/apps/myapp/logs?", { Origin: `http://${host}` }).catch(
      (e) => e,
    );
    expect(refusal).toMatchObject({ status: 401, body: '{"error":"invalid authentication"}\n' });
    expect(refusal.headers["www-authenticate"]).toBe('Basic realm="convox"');
  });

  it("refuses a websocket upgrade whose Origin host differs from Host with 403", async () => {
    for (const origin of ["https://gateway.example.com", "http://127.0.0.1:1", "not a url"]) {
      const refusal = await openRawSocket(rack.url, "/apps/myapp/logs?", {
        Authorization: basic(password),
        Origin: origin,
      }).catch((e) => e);
      expect(refusal).toMatchObject({ status: 403 });
      expect(refusal.body).toContain("request origin not allowed");
    }
  });

  it("accepts an upgrade whose Origin host equals Host, or without Origin like gorilla/websocket", async () => {
    for (const headers of [{ Origin: `https://${host}` }, {}]) {
      const socket = await openRawSocket(rack.url, "/apps/myapp/logs?", {
        Authorization: basic(password),
        ...headers,
      });
      await socket.untilEof;
      socket.socket.close();
    }
  });
});
