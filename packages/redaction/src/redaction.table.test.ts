import { describe, expect, test } from "vitest";
import {
  createRedactionRules,
  redact,
  redactEnvList,
  redactFormBody,
  redactHeaders,
  redactString,
  redactUrl,
} from "./index.js";

// Format-valid fakes; none of them has ever been a live credential.
const AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const GITHUB_PAT = "ghp_1234567890abcdefghijABCDEFGHIJ123456";
const GITHUB_FINE_PAT = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz";
const SLACK_BOT = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
const RGW_TOKEN = "rgw_4f9Kx2LmP8qR7sT1uV3wY5zA6bC";
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const GOOGLE_API_KEY = "AIzaSyA1234567890abcdefghijklmnopqrstuv";
const STRIPE_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\nZmFrZQ==\n-----END RSA PRIVATE KEY-----";

describe("redactString", () => {
  test.each<[string, string]>([
    ["Authorization: Bearer abc.def-123_456", "Authorization: [REDACTED]"],
    ["curl sent bearer 9f8e7d6c5b4a3f2e1d0c", "curl sent bearer [REDACTED]"],
    ["login with Basic dXNlcjpodW50ZXIy then retry", "login with Basic [REDACTED] then retry"],
    [`git push with token ${GITHUB_PAT}`, "git push with token [REDACTED]"],
    [`key ${AWS_KEY_ID} in us-east-1`, "key [REDACTED] in us-east-1"],
    [`aws_secret_access_key = ${AWS_SECRET}`, "aws_secret_access_key = [REDACTED]"],
    [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET} aws s3 ls`, "AWS_SECRET_ACCESS_KEY=[REDACTED] aws s3 ls"],
    [`before\n${PEM}\nafter`, "before\n[REDACTED]\nafter"],
    ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk (truncated)", "[REDACTED]"],
    [`jwt=${JWT}; path=/`, "jwt=[REDACTED]; path=/"],
    [`id token ${JWT} expired`, "id token [REDACTED] expired"],
    [`X-Api-Key ${RGW_TOKEN} used`, "X-Api-Key [REDACTED] used"],
    [`${RGW_TOKEN}.totp.123456`, "[REDACTED]"],
    ["session rgws_Zq8Lm2Np4Rs6Tu8Vw0Xy2Za4Bc6De8 in text", "session [REDACTED] in text"],
    [`slack ${SLACK_BOT} ok`, "slack [REDACTED] ok"],
    [`pat ${GITHUB_FINE_PAT}`, "pat [REDACTED]"],
    [`maps ${GOOGLE_API_KEY}`, "maps [REDACTED]"],
    [`stripe ${STRIPE_KEY}`, "stripe [REDACTED]"],
    [
      "notify https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX now",
      "notify https://hooks.slack.com/services/[REDACTED] now",
    ],
    [
      "Server=db;User Id=sa;Password=p@ss w0rd;Database=app",
      "Server=db;User Id=sa;Password=[REDACTED] w0rd;Database=app",
    ],
    [
      '{"user":"ana","password":"hunter2","admin":false}',
      '{"user":"ana","password":"[REDACTED]","admin":false}',
    ],
    ['{"otp": 123456, "ok": true}', '{"otp": [REDACTED], "ok": true}'],
    ["retry with token=abc123&limit=5", "retry with token=[REDACTED]&limit=5"],
    [
      "db at postgres://app:hunter2@db.internal:5432/app failed",
      "db at postgres://app:[REDACTED]@db.internal:5432/app failed",
    ],
    ["SENTRY_DSN=https://abc123@o1.ingest.sentry.io/42 set", "SENTRY_DSN=[REDACTED] set"],
    ["Cookie: rgw_session=abc; theme=dark", "Cookie: [REDACTED]"],
  ])("%j", (input, expected) => {
    expect(redactString(input)).toBe(expected);
    // Redacting redacted text changes nothing.
    expect(redactString(expected)).toBe(expected);
  });
});

describe("redactString: credentials in command lines (exec/run Command headers)", () => {
  test.each<[string, string]>([
    ["mysql -u root -pHunter2Secret mydb", "mysql -u root -p[REDACTED] mydb"],
    ["mysqldump -uroot -p'Hunter2 Secret' db", "mysqldump -uroot -p'[REDACTED]' db"],
    ['mysql -h db -u app -p"Hunter2" db', 'mysql -h db -u app -p"[REDACTED]" db'],
    ["mariadb -pHunter2Secret", "mariadb -p[REDACTED]"],
    ["mysql --password Hunter2Secret mydb", "mysql --password [REDACTED] mydb"],
    ["mysql --password=Hunter2Secret mydb", "mysql --password=[REDACTED] mydb"],
    ["vault login --token s.Hunter2Secret", "vault login --token [REDACTED]"],
    [
      "tool --client-secret 'Hunter2 Secret' --api-key=abc",
      "tool --client-secret '[REDACTED]' --api-key=[REDACTED]",
    ],
    ["curl -u admin:Hunter2Secret https://example.com/", "curl -u admin:[REDACTED] https://example.com/"],
    ["curl -uadmin:Hunter2Secret x", "curl -uadmin:[REDACTED] x"],
    ["curl -u 'admin:Hunter2 Secret' x", "curl -u 'admin:[REDACTED]' x"],
    ["curl --user=admin:Hunter2Secret x", "curl --user=admin:[REDACTED] x"],
    ["curl --proxy-user admin:Hunter2Secret x", "curl --proxy-user admin:[REDACTED] x"],
    [
      "curl -H 'X-Trace: 1' --oauth2-bearer x Bearer Hunter2SecretXYZ",
      "curl -H 'X-Trace: 1' --oauth2-bearer x Bearer [REDACTED]",
    ],
  ])("%s", (input, expected) => {
    expect(redactString(input)).toBe(expected);
    expect(redactString(expected)).toBe(expected);
  });

  test.each([
    "bin/rails db:migrate --verbose",
    "bundle exec rake db:seed --trace",
    "docker run -u 1000:1000 -p8080:80 img",
    "find . -user root -perm 644",
    "psql -U app -p 5432 -h db",
    "ssh -p2222 host",
    "pg_dump --no-password mydb",
    "tool --token-file /etc/tok --secret-path /run/s",
    "mysql -u root -p mydb",
  ])("keeps %s", (command) => {
    expect(redactString(command)).toBe(command);
  });
});

describe("redact (nested values)", () => {
  test.each<[string, unknown, unknown]>([
    ["flat object", { user: "ana", password: "hunter2" }, { user: "ana", password: "[REDACTED]" }],
    [
      "nested object and arrays",
      { db: { host: "h", credentials: { user: "u", pass: "p" } }, list: [{ apiKey: "k" }, "ok"] },
      { db: { host: "h", credentials: "[REDACTED]" }, list: [{ apiKey: "[REDACTED]" }, "ok"] },
    ],
    [
      "strings deep inside are scanned",
      { steps: [{ log: `using ${AWS_KEY_ID}` }] },
      { steps: [{ log: "using [REDACTED]" }] },
    ],
    [
      "camelCase, kebab and dotted names",
      { clientSecret: "s", "x-auth-token": "t", "db.password": "p", codeVerifier: "v" },
      {
        clientSecret: "[REDACTED]",
        "x-auth-token": "[REDACTED]",
        "db.password": "[REDACTED]",
        codeVerifier: "[REDACTED]",
      },
    ],
    [
      "null, undefined, booleans and empty strings under sensitive names are kept",
      { password: null, token: undefined, secret: "", has_password: true },
      { password: null, token: undefined, secret: "", has_password: true },
    ],
    [
      "numbers under sensitive names are replaced",
      { otp: 123456, pin_code: 1 },
      { otp: "[REDACTED]", pin_code: 1 },
    ],
    [
      "string URL value",
      { callback: "https://u:p@h.example/cb?code=1" },
      { callback: "https://u:[REDACTED]@h.example/cb?code=1" },
    ],
    [
      "a [name, value] tuple",
      [
        ["Authorization", "Token abc"],
        ["Accept", "*/*"],
      ],
      [
        ["Authorization", "[REDACTED]"],
        ["Accept", "*/*"],
      ],
    ],
    ["primitive passthrough", [1, 2n, true, null, undefined], [1, 2n, true, null, undefined]],
    ["binary is summarised", { body: new Uint8Array([1, 2, 3]) }, { body: "[Uint8Array 3 bytes]" }],
    ["a Map keyed by a sensitive name", new Map([["secret", "x"]]), new Map([["secret", "[REDACTED]"]])],
    [
      "values under env names are env lists",
      {
        "form.env": "PORT=1\nRAILS_MASTER_KEY=k",
        appEnv: ["A=1", "B_TOKEN=t"],
        env: { GITHUB_TOKEN: "g", LOG: "x" },
      },
      {
        "form.env": "PORT=1\nRAILS_MASTER_KEY=[REDACTED]",
        appEnv: ["A=1", "B_TOKEN=[REDACTED]"],
        env: { GITHUB_TOKEN: "[REDACTED]", LOG: "x" },
      },
    ],
    [
      "environment-ish names are not env lists",
      { environment: "production", envoy: "A=1" },
      { environment: "production", envoy: "A=1" },
    ],
  ])("%s", (_label, input, expected) => {
    expect(redact(input)).toEqual(expected);
  });
});

describe("redactUrl", () => {
  test.each<[string, string]>([
    ["https://ana:hunter2@example.com/path?x=1", "https://ana:[REDACTED]@example.com/path?x=1"],
    [
      "https://example.com/cb?code=abc&access_token=xyz&state=s1",
      "https://example.com/cb?code=abc&access_token=[REDACTED]&state=s1",
    ],
    ["https://example.com/#id_token=abc&state=1", "https://example.com/#id_token=[REDACTED]&state=1"],
    ["http://u:p@[2001:db8::1]:8080/a?b=c#frag", "http://u:[REDACTED]@[2001:db8::1]:8080/a?b=c#frag"],
    ["/apps/web/releases?password=x&limit=1", "/apps/web/releases?password=[REDACTED]&limit=1"],
    ["?token=abc", "?token=[REDACTED]"],
    [
      "https://example.com/a%20b?q=hello+world&empty=&flag",
      "https://example.com/a%20b?q=hello+world&empty=&flag",
    ],
    ["https://example.com/?pass%77ord=x", "https://example.com/?pass%77ord=[REDACTED]"],
    ["https://example.com/?q=Bearer%20abcdef123456", "https://example.com/?q=Bearer%20[REDACTED]"],
    [
      "https://bucket.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F&X-Amz-Signature=f00d&X-Amz-Expires=60",
      "https://bucket.s3.amazonaws.com/k?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Expires=60",
    ],
    ["https://example.com/?q=Bearer+abcdef123456", "https://example.com/?q=Bearer%20[REDACTED]"],
    ["https://ana:@example.com/", "https://ana:@example.com/"],
    ["not a url, token=abc", "not a url, token=[REDACTED]"],
  ])("%j", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrl(expected)).toBe(expected);
  });
});

describe("redactHeaders", () => {
  test("a header record", () => {
    expect(
      redactHeaders({
        Authorization: "Bearer abc",
        "Proxy-Authorization": "Basic xyz",
        Cookie: "s=1",
        "Set-Cookie": ["a=1", "b=2"],
        "X-Api-Key": "k",
        "X-Convox-Actor": "ana@example.com",
        Accept: "*/*",
        Skipped: undefined,
      }),
    ).toEqual({
      authorization: "[REDACTED]",
      "proxy-authorization": "[REDACTED]",
      cookie: "[REDACTED]",
      "set-cookie": ["[REDACTED]", "[REDACTED]"],
      "x-api-key": "[REDACTED]",
      "x-convox-actor": "ana@example.com",
      accept: "*/*",
    });
  });

  test("a Headers object", () => {
    const headers = new Headers({ "X-Auth-Token": "t", Command: "psql postgres://u:pw@db/app", Tail: "10" });
    expect(redactHeaders(headers)).toEqual({
      command: "psql postgres://u:[REDACTED]@db/app",
      tail: "10",
      "x-auth-token": "[REDACTED]",
    });
  });
});

describe("redactFormBody", () => {
  test.each<[string, string]>([
    ["count=2&description=hello+world", "count=2&description=hello+world"],
    ["username=ana&password=hunter2", "username=ana&password=[REDACTED]"],
    [
      "env=PORT%3D3000%0ADB_PASSWORD%3Dhunter2%0AAPI_KEY%3Dk&promote=true",
      "env=PORT%3D3000%0ADB_PASSWORD%3D[REDACTED]%0AAPI_KEY%3D[REDACTED]&promote=true",
    ],
    ["env=RAILS_ENV%3Dproduction%0ALOG_LEVEL%3Dinfo", "env=RAILS_ENV%3Dproduction%0ALOG_LEVEL%3Dinfo"],
    [
      "url=object%3A%2F%2Fapp%2Ftmp%2Fa.tgz&description=deploy",
      "url=object%3A%2F%2Fapp%2Ftmp%2Fa.tgz&description=deploy",
    ],
    [
      "client_secret=s3cr3t&grant_type=authorization_code",
      "client_secret=[REDACTED]&grant_type=authorization_code",
    ],
  ])("%j", (input, expected) => {
    expect(redactFormBody(input)).toBe(expected);
  });

  test("URLSearchParams with a convox env list", () => {
    const body = new URLSearchParams({ env: "A=1\nSECRET_KEY_BASE=abc\nB=2" });
    expect(redactFormBody(body)).toBe("env=A%3D1%0ASECRET_KEY_BASE%3D[REDACTED]%0AB%3D2");
    expect(new URLSearchParams(redactFormBody(body)).get("env")).toBe("A=1\nSECRET_KEY_BASE=[REDACTED]\nB=2");
  });
});

describe("redactEnvList", () => {
  test.each<[string, string]>([
    ["PORT=3000\nAPI_KEY=abc", "PORT=3000\nAPI_KEY=[REDACTED]"],
    [
      "# deploy settings\nRACK_TOKEN=t\r\nLOG_LEVEL=info\r\n",
      "# deploy settings\nRACK_TOKEN=[REDACTED]\r\nLOG_LEVEL=info\r\n",
    ],
    [
      "export GOOGLE_CLIENT_SECRET=x\nGOOGLE_CLIENT_ID=id",
      "export GOOGLE_CLIENT_SECRET=[REDACTED]\nGOOGLE_CLIENT_ID=id",
    ],
    ["APP_SECRET_KEY=\nnot an assignment\n", "APP_SECRET_KEY=\nnot an assignment\n"],
    ["DATABASE_URL=postgres://app:pw@db/app", "DATABASE_URL=postgres://app:[REDACTED]@db/app"],
    ["# old token=abc123", "# old token=[REDACTED]"],
    [`TLS_KEY=${PEM.replaceAll("\n", "\n")}\nNEXT=1`, "TLS_KEY=[REDACTED]\nNEXT=1"],
  ])("%j", (input, expected) => {
    expect(redactEnvList(input)).toBe(expected);
  });

  test("protected names from PROTECTED_ENV_VARS", () => {
    const rules = createRedactionRules({ protectedEnvVars: ["DATABASE_URL"] });
    expect(redactEnvList("DATABASE_URL=postgres://db/app\ndatabase_url=x", rules)).toBe(
      "DATABASE_URL=[REDACTED]\ndatabase_url=x",
    );
  });
});

describe("custom REDACT_PATTERNS", () => {
  const rules = createRedactionRules({ patterns: ["stripe", "/^x-internal-/i"], replacement: "***" });

  test.each<[unknown, unknown]>([
    [
      { stripe: "a", STRIPE_ID: "b", stripes: "c" },
      { stripe: "***", STRIPE_ID: "***", stripes: "c" },
    ],
    [
      { "X-Internal-Route": "r", "x-external": "e" },
      { "X-Internal-Route": "***", "x-external": "e" },
    ],
    ["stripe=abc password=def", "stripe=*** password=***"],
  ])("%j", (input, expected) => {
    expect(redact(input, rules)).toEqual(expected);
  });
});

describe("values that must not be redacted", () => {
  test.each<[string, unknown]>([
    ["a git sha", "9fceb02d0ae598e95dc970b74767f19372d61af8"],
    ["a sha256", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["a uuid", "123e4567-e89b-12d3-a456-426614174000"],
    ["Bearer as a word", "The bearer of this letter is a friend"],
    ["Basic as a word", "Basic auth is disabled for this rack"],
    ["token as a word", "Rotate the token quarterly"],
    ["a monkey", { monkey: "banana", donkey: "kong" }],
    ["an author", { author: "ana", authored_at: "2024-01-01" }],
    ["keys as a plain list of names", { keys: ["PORT", "LOG_LEVEL"] }],
    ["a session timeout setting", { session_timeout_minutes: 5, sessionCount: 2 }],
    ["a boolean privacy flag", { private: true }],
    ["a status code", { status_code: 200, code: "ok" }],
    ["a plain URL", "https://example.com/search?q=hello&page=2#top"],
    ["an ssh remote with a user name", "ssh://git@github.com/org/repo.git"],
    ["a public certificate", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"],
    ["a short rgw_ prefix", "rgw_short"],
    ["a lone JWT header", "eyJhbGciOiJub25lIn0"],
    ["a short AKIA prefix", "AKIA1234"],
    ["a convox command", "convox env set LOG_LEVEL=debug -a web"],
  ])("%s", (_label, input) => {
    expect(redact(input)).toEqual(input);
  });

  test("plain env names", () => {
    const list = "KEYBOARD_LAYOUT=us\nMONKEY_COUNT=3\nTURKEY=roast\nSESSION_TIMEOUT_MINUTES=5";
    expect(redactEnvList(list)).toBe(list);
  });
});
