// Threat: redacting a request for the audit log alters the request that is then forwarded to the rack.
import { describe, expect, test } from "vitest";
import { redact, redactEnvMap, redactHeaders } from "./index.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

function buildInput() {
  return {
    user: "ana",
    password: "hunter2",
    nested: { token: "t", list: ["Bearer abcdef123456", { apiKey: "k", note: "ok" }] },
    tuples: [["Authorization", "Basic dXNlcjpwYXNz"]],
    map: new Map<string, unknown>([
      ["secret", "s"],
      ["plain", { password: "p" }],
    ]),
    set: new Set(["password=abc", "plain"]),
    when: new Date(0),
    url: "postgres://app:pw@db/app",
  };
}

describe("redact never mutates its input", () => {
  test("a deep-frozen input is accepted and left equal to a fresh copy", () => {
    const input = deepFreeze(buildInput());
    const output = redact(input) as Record<string, unknown>;
    expect(input).toEqual(buildInput());
    expect(output.password).toBe("[REDACTED]");
    expect(output).not.toBe(input);
    expect(output.nested).not.toBe(input.nested);
    expect(output.map).not.toBe(input.map);
    expect(output.set).not.toBe(input.set);
    expect(output.when).not.toBe(input.when);
    expect(output.when).toEqual(input.when);
  });

  test("Maps, Sets and Dates inside keep their contents (freeze cannot guard them)", () => {
    const input = buildInput();
    redact(input);
    expect(input.map.get("secret")).toBe("s");
    expect(input.set.has("password=abc")).toBe(true);
    expect(input.when.getTime()).toBe(0);
  });

  test("the output of a plain object is a fresh, writable object", () => {
    const output = redact(deepFreeze({ a: { b: 1 } })) as { a: { b: number } };
    output.a.b = 2;
    expect(output.a.b).toBe(2);
  });

  test("redactHeaders and redactEnvMap leave frozen inputs alone", () => {
    const headers = deepFreeze({ Authorization: "Bearer abcdef123456", "Set-Cookie": ["a=1"] });
    const env = deepFreeze({ PORT: "3000", RACK_TOKEN: "t" });
    expect(redactHeaders(headers)).toEqual({ authorization: "[REDACTED]", "set-cookie": ["[REDACTED]"] });
    expect(redactEnvMap(env)).toEqual({ PORT: "3000", RACK_TOKEN: "[REDACTED]" });
    expect(headers).toEqual({ Authorization: "Bearer abcdef123456", "Set-Cookie": ["a=1"] });
    expect(env).toEqual({ PORT: "3000", RACK_TOKEN: "t" });
  });
});
