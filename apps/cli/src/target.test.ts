import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliError, EXIT, normalizeGatewayUrl, rackUrlOf, resolveTarget } from "./index.js";

describe("gateway URL and target", () => {
  it.each([
    ["https://gateway.example.com/", "https://gateway.example.com"],
    ["https://gateway.example.com:8443/some/path?x=1", "https://gateway.example.com:8443"],
    ["http://127.0.0.1:8447", "http://127.0.0.1:8447"],
    ["http://localhost:3000", "http://localhost:3000"],
  ])("normalizes %s", (raw, expected) => {
    expect(normalizeGatewayUrl(raw)).toBe(expected);
  });

  it.each([
    ["gateway.example.com", /not a URL/],
    ["http://gateway.example.com", /refusing plain http/],
    ["ftp://gateway.example.com", /must start with https/],
    ["https://user:pw@gateway.example.com", /must not carry credentials/],
  ])("refuses %s with a usage error", (raw, message) => {
    expect(() => normalizeGatewayUrl(raw)).toThrow(message);
    try {
      normalizeGatewayUrl(raw);
    } catch (error) {
      expect((error as CliError).exitCode).toBe(EXIT.USAGE);
    }
  });

  it("builds RACK_URL with the token URL-escaped as the Basic password", () => {
    expect(rackUrlOf({ gatewayUrl: "https://gw.example.com:8443", token: "rgw_a/b@c:d%e" })).toBe(
      "https://convox:rgw_a%2Fb%40c%3Ad%25e@gw.example.com:8443/api/v1/rack-proxy",
    );
  });

  it("CI mode takes RACK_GATEWAY_URL + RACK_GATEWAY_API_TOKEN and never reads the config", async () => {
    // An XDG_CONFIG_HOME that cannot be a directory: reading it would fail.
    const env = {
      XDG_CONFIG_HOME: "/dev/null",
      RACK_GATEWAY_URL: "https://gw.example.com",
      RACK_GATEWAY_API_TOKEN: "rgw_x",
    };
    const target = await resolveTarget({ env, rack: undefined, warn: () => undefined });
    expect(target).toEqual({
      alias: "ci",
      gatewayUrl: "https://gw.example.com",
      token: "rgw_x",
      source: "env",
      sessionId: null,
      expiresAt: null,
    });
  });

  it("without config or CI variables: not signed in (exit 3) with the login command", async () => {
    const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "rgw-t-")) };
    const failure = resolveTarget({ env, rack: undefined, warn: () => undefined });
    await expect(failure).rejects.toMatchObject({ exitCode: EXIT.AUTH, code: "NOT_SIGNED_IN" });
    await expect(resolveTarget({ env, rack: "prod", warn: () => undefined })).rejects.toThrow(
      "run `rack-gateway login prod <gateway-url>`",
    );
  });
});
