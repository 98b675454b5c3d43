// Threat: a credential reaches the audit log or the stdout log stream because it sits somewhere the
// redactor does not look: odd casing, header tuples, percent-encoding, JSON inside strings, errors, URLs.
import { describe, expect, test } from "vitest";
import {
  createRedactionRules,
  redact,
  redactFormBody,
  redactHeaders,
  redactString,
  redactUrl,
} from "./index.js";

const RGW_TOKEN = "rgw_4f9Kx2LmP8qR7sT1uV3wY5zA6bC";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmEifQ.c2lnbmF0dXJlX2J5dGVz";
const SECRET = "hunter2-s3cr3t";

/** Every leak test ends here: the raw secret must not appear anywhere in the serialised output. */
function expectNoLeak(output: unknown, ...secrets: string[]): void {
  const text =
    typeof output === "string"
      ? output
      : JSON.stringify(output, (_key, value: unknown) =>
          value instanceof Map ? [...value] : value instanceof Set ? [...value] : value,
        );
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe("headers", () => {
  test("mixed-case and upper-case header names", () => {
    const output = redactHeaders({
      AuThOrIzAtIoN: `Bearer ${SECRET}`,
      "X-API-KEY": SECRET,
      COOKIE: `s=${SECRET}`,
    });
    expect(output).toEqual({ authorization: "[REDACTED]", "x-api-key": "[REDACTED]", cookie: "[REDACTED]" });
  });

  test("Authorization inside an array of header tuples, via redactHeaders and via redact", () => {
    const tuples: Array<[string, string]> = [
      ["Accept", "*/*"],
      ["authorization", `Basic ${Buffer.from(`convox:${SECRET}`).toString("base64")}`],
      ["Proxy-Authorization", SECRET],
    ];
    expect(redactHeaders(tuples)).toEqual({
      accept: "*/*",
      authorization: "[REDACTED]",
      "proxy-authorization": "[REDACTED]",
    });
    expectNoLeak(redact({ headers: tuples }), SECRET, Buffer.from(`convox:${SECRET}`).toString("base64"));
  });

  test("Node's flat rawHeaders array", () => {
    expect(redactHeaders(["Host", "gw", "X-Auth-Token", SECRET, "Authorization", SECRET])).toEqual({
      host: "gw",
      "x-auth-token": "[REDACTED]",
      authorization: "[REDACTED]",
    });
  });

  test("repeated Set-Cookie headers in a Map and an Authorization array value", () => {
    const output = redactHeaders(
      new Map<string, string | string[]>([
        ["Set-Cookie", `a=${SECRET}`],
        ["set-cookie", `b=${SECRET}`],
        ["Authorization", [`Bearer ${SECRET}`, "second"]],
      ]),
    );
    expect(output).toEqual({
      "set-cookie": ["[REDACTED]", "[REDACTED]"],
      authorization: ["[REDACTED]", "[REDACTED]"],
    });
  });

  test("a credential in a header with an innocent name is still found by its shape", () => {
    expect(redactHeaders({ "X-Forwarded-Note": `retry with ${RGW_TOKEN}` })).toEqual({
      "x-forwarded-note": "retry with [REDACTED]",
    });
  });
});

describe("URLs and form bodies", () => {
  test("percent-encoded names and values in a query", () => {
    const url = `https://gw/api?pass%77ord=${SECRET}&q=Bearer%20${SECRET}&next=%2Fcb%3Ftoken%3D${SECRET}`;
    const output = redactUrl(url);
    expectNoLeak(output, SECRET);
    expect(output).toBe(
      "https://gw/api?pass%77ord=[REDACTED]&q=Bearer%20[REDACTED]&next=%2Fcb%3Ftoken%3D[REDACTED]",
    );
  });

  test("a protected env var inside audit params built from a parsed form", () => {
    const rules = createRedactionRules({ protectedEnvVars: ["DATABASE_URL"] });
    const form = new URLSearchParams({
      env: `DATABASE_URL=mysql://db/app?x=${SECRET}\nPORT=3000`,
      promote: "true",
    });
    const params = Object.fromEntries([...form].map(([name, value]) => [`form.${name}`, value]));
    expect(redact(params, rules)).toEqual({
      "form.env": "DATABASE_URL=[REDACTED]\nPORT=3000",
      "form.promote": "true",
    });
    expect(redactFormBody(form, rules)).toBe("env=DATABASE_URL%3D[REDACTED]%0APORT%3D3000&promote=true");
  });

  test("the stock convox CLI's RACK_URL carries the token as the Basic password", () => {
    expect(redactString(`RACK_URL=https://convox:${RGW_TOKEN}@gateway.example.com/api/v1/rack-proxy`)).toBe(
      "RACK_URL=https://convox:[REDACTED]@gateway.example.com/api/v1/rack-proxy",
    );
  });

  test("`convox rack access` prints a direct jwt URL", () => {
    expectNoLeak(redactString(`RACK_URL=https://jwt:${JWT}@rack.example.com`), JWT);
  });

  test("a token as the whole userinfo, in a fragment, and duplicated parameters", () => {
    expectNoLeak(redactUrl(`https://${RGW_TOKEN}@gw/`), RGW_TOKEN);
    expectNoLeak(redactUrl(`https://app/#state=1&id_token=${JWT}`), JWT);
    expectNoLeak(redactUrl(`/apps?token=${SECRET}&token=${SECRET}2`), SECRET);
  });

  test("an encoded form field name and a convox env list with CRLF, export and '+' spaces", () => {
    const env = `export DB_PASSWORD=${SECRET}\r\nGREETING=hello world\r\nRAILS_MASTER_KEY=${SECRET}`;
    const body = `client%5Fsecret=${SECRET}&env=${encodeURIComponent(env).replaceAll("%20", "+")}`;
    const output = redactFormBody(body);
    expectNoLeak(output, SECRET);
    expect(new URLSearchParams(output).get("env")).toBe(
      "export DB_PASSWORD=[REDACTED]\r\nGREETING=hello world\r\nRAILS_MASTER_KEY=[REDACTED]",
    );
  });

  test("a URL object and a URLSearchParams object inside a value", () => {
    const output = redact({
      target: new URL(`https://u:${SECRET}@h/x?sig=${SECRET}`),
      query: new URLSearchParams({ api_key: SECRET }),
    });
    expect(output).toEqual({
      target: "https://u:[REDACTED]@h/x?sig=[REDACTED]",
      query: "api_key=[REDACTED]",
    });
  });
});

describe("strings inside strings", () => {
  test("password in a JSON string inside a string field", () => {
    const inner = JSON.stringify({ user: "ana", password: SECRET, nested: { token: SECRET } });
    const outer = { body: inner, wrapped: JSON.stringify({ data: inner }) };
    const output = redact(outer) as { body: string; wrapped: string };
    expectNoLeak(output, SECRET);
    expect(JSON.parse(output.body)).toEqual({
      user: "ana",
      password: "[REDACTED]",
      nested: { token: "[REDACTED]" },
    });
    expect(JSON.parse(JSON.parse(output.wrapped).data)).toEqual(JSON.parse(output.body));
  });

  test("a PEM key with escaped newlines inside a JSON string", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----";
    expect(redactString(`{"key_material":"${pem}","ok":true}`)).toBe(
      '{"key_material":"[REDACTED]","ok":true}',
    );
    expect(redactString(`cert loaded: ${pem} done`)).toBe("cert loaded: [REDACTED] done");
  });

  test("secrets in a quoted value containing escaped quotes and spaces", () => {
    expectNoLeak(redactString(`{"password":"a \\"${SECRET}\\" b"}`), SECRET);
    expectNoLeak(redactString(`password='${SECRET} with spaces'`), SECRET);
  });

  test.each<[string, string]>([
    ["Authorization=Bearer xyz12345678 next=1", "Authorization=[REDACTED] next=1"],
    ["PGPASSWORD=abc psql -h db", "PGPASSWORD=[REDACTED] psql -h db"],
    ["--password=abc --user=x", "--password=[REDACTED] --user=x"],
    [
      "jdbc:postgresql://db:5432/app?user=u&password=p&ssl=true",
      "jdbc:postgresql://db:5432/app?user=u&password=[REDACTED]&ssl=true",
    ],
    ["mongodb+srv://u:p@cluster0.example.net/db", "mongodb+srv://u:[REDACTED]@cluster0.example.net/db"],
    ["redis://:pw@cache:6379/0", "redis://:[REDACTED]@cache:6379/0"],
    ["refresh_token=1//0gAbCdEfGhIjKlMnOpQrStUv", "refresh_token=[REDACTED]"],
  ])("connection strings and command lines: %j", (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  test("the inline MFA proof attached to an API token", () => {
    expect(redactString(`Authorization: Basic ${RGW_TOKEN}.totp.123456`)).toBe("Authorization: [REDACTED]");
    expect(redactString(`token ${RGW_TOKEN}.totp.123456 used`)).toBe("token [REDACTED] used");
  });
});

describe("objects", () => {
  test("odd casing and separators in key names", () => {
    expectNoLeak(
      redact({ DB_PassWord: SECRET, "Client-Secret": SECRET, "x.api.key": SECRET, SessionID: SECRET }),
      SECRET,
    );
  });

  test("errors, causes and own properties", () => {
    const cause = new Error(`connect to postgres://app:${SECRET}@db failed`);
    const error = Object.assign(new Error("upstream failed", { cause }), {
      config: { headers: { Authorization: SECRET } },
    });
    expectNoLeak(redact({ error }), SECRET);
  });

  test("Maps, Sets, class instances and toJSON", () => {
    class Session {
      constructor(
        readonly id: string,
        readonly token: string,
      ) {}
    }
    const output = redact({
      map: new Map([
        ["client_secret", SECRET],
        ["note", `token=${SECRET}`],
      ]),
      set: new Set([`Bearer ${SECRET}-long-credential`]),
      session: new Session("s1", SECRET),
      custom: { toJSON: () => ({ password: SECRET }) },
    });
    expectNoLeak(output, SECRET);
  });

  test("binary data is never copied into the log", () => {
    expect(redact({ body: Buffer.from(`password=${SECRET}`) })).toEqual({ body: "[Uint8Array 23 bytes]" });
  });

  test("a sensitive key whose value is an object hides the whole object", () => {
    expect(redact({ credentials: { username: "ana", anything: SECRET } })).toEqual({
      credentials: "[REDACTED]",
    });
  });
});
