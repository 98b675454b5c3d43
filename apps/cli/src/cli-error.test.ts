import { describe, expect, it } from "vitest";
import { describeFailure, EXIT, GatewayApiError, GatewayConnectionError } from "./index.js";

const signedIn = { alias: "staging", gatewayUrl: "https://gw.example.com", source: "config" as const };
const api = (status: number, code: string, message = "m") => new GatewayApiError(status, code, message, null);
/** What the rack proxy answers arrives as a ConvoxHttpError carrying the gateway's JSON body. */
const proxied = (status: number, code: string, error: string) =>
  Object.assign(new Error("rack answered"), {
    name: "ConvoxHttpError",
    status,
    body: JSON.stringify({ error, code }),
  });

describe("describeFailure: stable codes to messages and exit codes", () => {
  it.each([
    [
      api(401, "INVALID_AUTHENTICATION"),
      EXIT.AUTH,
      "your session for staging expired or was revoked — run `rack-gateway login staging https://gw.example.com`",
    ],
    [
      proxied(401, "INVALID_AUTHENTICATION", "invalid authentication"),
      EXIT.AUTH,
      "run `rack-gateway login staging",
    ],
    [
      api(403, "FORBIDDEN", "forbidden: role viewer lacks gateway:user:read"),
      EXIT.FORBIDDEN,
      "permission denied: role viewer lacks gateway:user:read",
    ],
    [
      proxied(403, "PROTECTED_ENV_VAR", "DATABASE_URL is protected"),
      EXIT.FORBIDDEN,
      "permission denied: DATABASE_URL is protected",
    ],
    [
      proxied(404, "UNKNOWN_ROUTE", "unknown route"),
      EXIT.FORBIDDEN,
      "the gateway does not allow this rack call",
    ],
    [api(404, "NOT_FOUND", "no user x"), EXIT.NOT_FOUND, "no user x"],
    [proxied(502, "RACK_UNAVAILABLE", "rack unavailable"), EXIT.UNAVAILABLE, "cannot reach the rack"],
    [proxied(503, "AUDIT_UNAVAILABLE", "audit unavailable"), EXIT.UNAVAILABLE, "changed nothing"],
    [api(429, "RATE_LIMITED", "too many"), EXIT.RATE_LIMITED, "wait a minute"],
    [api(423, "ACCOUNT_LOCKED", "account locked"), EXIT.AUTH, "ask an admin to unlock"],
    [api(409, "CONFLICT", "already exists"), EXIT.ERROR, "already exists"],
    [proxied(404, "HTTP_404", "app not found: ghost"), EXIT.NOT_FOUND, "app not found: ghost"],
    [
      new GatewayConnectionError("https://gw.example.com", new Error("fetch failed")),
      EXIT.UNAVAILABLE,
      "cannot reach the gateway at https://gw.example.com",
    ],
  ])("%s → exit %i", (error, exitCode, message) => {
    const described = describeFailure(error, signedIn);
    expect(described.exitCode).toBe(exitCode);
    expect(described.message).toContain(message);
  });

  it("in CI mode an refused token names RACK_GATEWAY_API_TOKEN instead of login", () => {
    const described = describeFailure(api(401, "INVALID_AUTHENTICATION"), { ...signedIn, source: "env" });
    expect(described.message).toContain("RACK_GATEWAY_API_TOKEN was refused");
    expect(described.message).not.toContain("login");
  });

  it("a rack error body that is not the gateway's JSON still maps by status", () => {
    const raw = Object.assign(new Error("x"), {
      name: "ConvoxHttpError",
      status: 404,
      body: "404 page not found\n",
    });
    expect(describeFailure(raw, signedIn)).toMatchObject({
      exitCode: EXIT.NOT_FOUND,
      message: "404 page not found",
    });
  });
});

describe("describeFailure: a gateway or rack message cannot drive the terminal", () => {
  it.each([
    api(404, "NOT_FOUND", "no app \x1b]0;pwned\x07\nrack-gateway: forged"),
    proxied(500, "X", "no app \x1b]0;pwned\x07\nrack-gateway: forged"),
    Object.assign(new Error("x"), {
      name: "ConvoxStreamError",
      streamMessage: "no app \x1b]0;pwned\x07\nrack-gateway: forged",
    }),
  ])("%#: control characters become escapes, on one line", (error) => {
    const { message } = describeFailure(error, signedIn);
    expect(message).toContain(String.raw`no app \x1b]0;pwned\x07\nrack-gateway: forged`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
    expect(message).not.toMatch(/[\u0000-\u001f]/);
  });
});
