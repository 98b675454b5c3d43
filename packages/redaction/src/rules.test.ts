import { describe, expect, test } from "vitest";
import {
  classifyEnvKey,
  createRedactionRules,
  DEFAULT_REDACTION_RULES,
  isSensitiveName,
  parseNameList,
  type RedactionRuleOptions,
  type RedactionRules,
  redact,
  redactEnvList,
} from "./index.js";

describe("createRedactionRules validates its options", () => {
  test.each<[string, unknown, RegExp]>([
    ["patterns not an array", { patterns: "password,secret" }, /patterns must be an array/],
    ["a non-string pattern", { patterns: [1] }, /must hold strings/],
    ["an empty word", { patterns: [""] }, /not a name pattern/],
    ["a padded word", { patterns: [" token"] }, /not a name pattern/],
    ["a word with spaces", { patterns: ["api key"] }, /not a name pattern/],
    ["a stateful regex flag", { patterns: ["/token/g"] }, /only i, m, s and u/],
    ["an invalid regex", { patterns: ["/(unclosed/"] }, /not a valid regular expression/],
    ["a protected name with '='", { protectedEnvVars: ["A=B"] }, /not an env name/],
    ["a protected name with a space", { protectedEnvVars: ["DATABASE URL"] }, /not an env name/],
    ["an empty replacement", { replacement: "" }, /replacement must be/],
    ["a multi-line replacement", { replacement: "a\nb" }, /replacement must be/],
    ["a bad secretEnvPatterns entry", { secretEnvPatterns: ["/x/y"] }, /secretEnvPatterns/],
  ])("%s", (_label, options, message) => {
    expect(() => createRedactionRules(options as RedactionRuleOptions)).toThrow(TypeError);
    expect(() => createRedactionRules(options as RedactionRuleOptions)).toThrow(message);
  });

  test("an invalid regex keeps the SyntaxError as cause", () => {
    try {
      createRedactionRules({ patterns: ["/[/"] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    }
  });

  test("the result is frozen and copies its lists", () => {
    const patterns = ["stripe"];
    const rules = createRedactionRules({ patterns, protectedEnvVars: ["DATABASE_URL"] });
    patterns.push("later");
    expect(Object.isFrozen(rules)).toBe(true);
    expect(Object.isFrozen(rules.patterns)).toBe(true);
    expect(rules.patterns).toEqual(["stripe"]);
    expect(rules).toEqual({
      replacement: "[REDACTED]",
      patterns: ["stripe"],
      protectedEnvVars: ["DATABASE_URL"],
      secretEnvPatterns: [],
    });
    expect(Object.isFrozen(DEFAULT_REDACTION_RULES)).toBe(true);
  });

  test("hand-made rule objects are refused with a fix-it message", () => {
    const fake = { ...DEFAULT_REDACTION_RULES } as RedactionRules;
    expect(() => redact("x", fake)).toThrow(/createRedactionRules/);
    expect(() => isSensitiveName("x", fake)).toThrow(TypeError);
  });
});

describe("configured patterns add to the defaults", () => {
  test("the seed's REDACT_PATTERNS change nothing the defaults already cover and remove nothing", () => {
    const rules = createRedactionRules({ patterns: parseNameList("password,secret,token,key,credential") });
    for (const name of ["password", "api_key", "monkey", "session_id", "author"]) {
      expect(isSensitiveName(name, rules)).toBe(isSensitiveName(name));
    }
  });

  test("a word matches whole segments; a regex matches the raw name", () => {
    const rules = createRedactionRules({ patterns: ["ssn", "/^x-corp-/i"] });
    expect(isSensitiveName("customer_ssn", rules)).toBe(true);
    expect(isSensitiveName("customerSsn", rules)).toBe(true);
    expect(isSensitiveName("lessnormal", rules)).toBe(false);
    expect(isSensitiveName("X-Corp-Route", rules)).toBe(true);
    expect(isSensitiveName("x-corpus", rules)).toBe(false);
  });

  test("secretEnvPatterns mark env names only", () => {
    const rules = createRedactionRules({ secretEnvPatterns: ["stripe"] });
    expect(classifyEnvKey("STRIPE_ACCOUNT", rules)).toBe("secret");
    expect(isSensitiveName("STRIPE_ACCOUNT", rules)).toBe(false);
    expect(redactEnvList("STRIPE_ACCOUNT=acct_1", rules)).toBe("STRIPE_ACCOUNT=[REDACTED]");
  });

  test("a custom replacement is used everywhere", () => {
    const rules = createRedactionRules({ replacement: "<hidden>" });
    expect(redact({ token: "t", note: "password=x" }, rules)).toEqual({
      token: "<hidden>",
      note: "password=<hidden>",
    });
  });
});

describe("parseNameList", () => {
  test.each<[string, string[]]>([
    ["password,secret,token,key,credential", ["password", "secret", "token", "key", "credential"]],
    [" DATABASE_URL , API_KEY,,SECRET_KEY ", ["DATABASE_URL", "API_KEY", "SECRET_KEY"]],
    ["", []],
    [" , ", []],
  ])("%j", (input, expected) => {
    expect(parseNameList(input)).toEqual(expected);
  });
});
