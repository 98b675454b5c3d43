import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  classifyEnvKey,
  createRedactionRules,
  DEFAULT_SENSITIVE_NAME_TERMS,
  type EnvKeyClass,
  isSensitiveName,
} from "./index.js";

describe("classifyEnvKey", () => {
  const rules = createRedactionRules({ protectedEnvVars: ["DATABASE_URL", "API_KEY"] });

  test.each<[string, EnvKeyClass]>([
    // protected: exact and case-sensitive, and it wins over secret
    ["DATABASE_URL", "protected"],
    ["API_KEY", "protected"],
    ["database_url", "plain"],
    // substring terms: anywhere, glued or not
    ["APP_SECRET_KEY", "secret"],
    ["RACK_TOKEN", "secret"],
    ["POSTMARK_API_TOKEN", "secret"],
    ["DBPASSWORD", "secret"],
    ["MYSQL_PASSWD", "secret"],
    ["AWS_CREDENTIALS_FILE", "secret"],
    ["STRIPEAPIKEY", "secret"],
    ["SLACK_WEBHOOK_URL", "secret"],
    ["tokenizer_version", "secret"],
    // "key" as a whole segment at _ - . camelCase digit boundaries or the name's start or end
    ["SECRET_KEY_BASE", "secret"],
    ["KEY_ID", "secret"],
    ["apiKey", "secret"],
    ["APIKey", "secret"],
    ["S3KEY", "secret"],
    ["tls.key", "secret"],
    ["PUBLIC_KEY", "secret"],
    ["STRIPEKEY", "plain"],
    ["MONKEY_COUNT", "plain"],
    ["KEYBOARD_LAYOUT", "plain"],
    ["TURKEY", "plain"],
    ["HOTKEYS", "plain"],
    // trailing terms
    ["RAILS_SESSION", "secret"],
    ["SESSION_ID", "secret"],
    ["SESSION_TIMEOUT_MINUTES", "plain"],
    ["BASIC_AUTH", "secret"],
    ["AUTH_PROVIDER", "plain"],
    ["SENTRY_DSN", "secret"],
    ["GOOGLE_CLIENT_ID", "plain"],
    ["GOOGLE_ALLOWED_DOMAIN", "plain"],
    ["LOG_RETENTION_DAYS", "plain"],
    ["AUTHOR_NAME", "plain"],
  ])("%s → %s", (name, expected) => {
    expect(classifyEnvKey(name, rules)).toBe(expected);
  });

  test("non-string names are misuse", () => {
    expect(() => classifyEnvKey(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("isSensitiveName", () => {
  test.each<[string, boolean]>([
    ["Authorization", true],
    ["proxy-authorization", true],
    ["Set-Cookie", true],
    ["cookie_domain", false],
    ["X-Amz-Signature", true],
    ["signature_version", false],
    ["code_verifier", true],
    ["code", false],
    ["backup_codes", true],
    ["keys", false],
    ["author", false],
  ])("%s → %s", (name, expected) => {
    expect(isSensitiveName(name)).toBe(expected);
  });
});

describe("README documents the exact default name terms", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  test.each(Object.entries(DEFAULT_SENSITIVE_NAME_TERMS))("%s", (kind, terms) => {
    const line = readme.split("\n").find((text) => text.startsWith(`| ${kind} |`));
    expect(line, `README needs a "| ${kind} |" table row`).toBeDefined();
    const listed = [...(line ?? "").matchAll(/`([a-z]+)`/g)].map((match) => match[1]);
    expect(listed).toEqual([...terms]);
  });
});
