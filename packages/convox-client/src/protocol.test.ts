import { describe, expect, it } from "vitest";
import {
  decodeBasicAuthPassword,
  EXIT_CODE_MARKER,
  encodeBasicAuth,
  formatEnv,
  formatExitFrame,
  parseEnv,
  parseExitFrame,
} from "./index.js";

describe("basic auth", () => {
  it("escapes the password like the convox CLI (known answer)", () => {
    // base64("convox:p%40ss%2Fw0rd")
    expect(encodeBasicAuth("p@ss/w0rd")).toBe("Basic Y29udm94OnAlNDBzcyUyRncwcmQ=");
    expect(Buffer.from("Y29udm94OnAlNDBzcyUyRncwcmQ=", "base64").toString()).toBe("convox:p%40ss%2Fw0rd");
  });

  it("round-trips passwords with reserved and non-ASCII characters", () => {
    for (const password of ["plain", "p@ss/w0rd", "a:b:c", "100% sure", "ünïcødé+=&?#", ""]) {
      expect(decodeBasicAuthPassword(encodeBasicAuth(password))).toBe(password);
    }
  });

  it("ignores the username, as the rack does", () => {
    const header = `Basic ${Buffer.from("jwt:s%2Fecret").toString("base64")}`;
    expect(decodeBasicAuthPassword(header)).toBe("s/ecret");
  });

  it.each([
    [undefined],
    [null],
    [""],
    ["Bearer abc"],
    ["Basic"],
    ["Basic !!!"],
    [`Basic ${Buffer.from("no-colon").toString("base64")}`],
    [`Basic ${Buffer.from("convox:%E0%A4%A").toString("base64")}`],
  ])("rejects %s", (header) => {
    expect(decodeBasicAuthPassword(header)).toBeNull();
  });
});

describe("exit frames", () => {
  it("parses the marker and code", () => {
    expect(EXIT_CODE_MARKER).toBe("F1E49A85-0AD7-4AEF-A618-C249C6E6568D:");
    expect(parseExitFrame("F1E49A85-0AD7-4AEF-A618-C249C6E6568D:0\n")).toBe(0);
    expect(parseExitFrame("F1E49A85-0AD7-4AEF-A618-C249C6E6568D:127\n")).toBe(127);
    expect(parseExitFrame(formatExitFrame(3))).toBe(3);
  });

  it("treats anything else as output", () => {
    expect(parseExitFrame("hello\n")).toBeNull();
    expect(parseExitFrame(`${EXIT_CODE_MARKER}abc\n`)).toBeNull();
    expect(parseExitFrame(`x${EXIT_CODE_MARKER}1\n`)).toBeNull();
  });

  it("refuses a non-integer exit code", () => {
    expect(() => formatExitFrame(1.5)).toThrow(RangeError);
  });
});

describe("env lists", () => {
  it("parses KEY=VALUE lines, keeping = inside values", () => {
    expect(parseEnv("A=1\nB=x=y\n\n# comment\nC=\nbad line\n")).toEqual({ A: "1", B: "x=y", C: "" });
  });

  it("formats sorted by key like the CLI", () => {
    expect(formatEnv({ Z: "1", A: "********", M: "a b" })).toBe("A=********\nM=a b\nZ=1");
  });
});
