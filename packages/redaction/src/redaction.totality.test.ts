// Threat: a hostile or merely odd value makes redaction throw or hang, and the audit write (and with it the
// proxied call) fails or a raw value is logged by a fallback path.
import { describe, expect, test } from "vitest";
import {
  CIRCULAR,
  MAX_DEPTH,
  redact,
  redactEnvList,
  redactFormBody,
  redactHeaders,
  redactString,
  redactUrl,
  UNREADABLE,
} from "./index.js";

function nestObjects(depth: number): unknown {
  let value: unknown = { password: "deep" };
  for (let level = 0; level < depth; level++) value = { child: value };
  return value;
}

function nestArrays(depth: number): unknown {
  let value: unknown = ["leaf"];
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

class Account {
  readonly email = "ana@example.com";
  readonly password = "hunter2";
  get secretViaPrototype(): string {
    return "never copied";
  }
}

function buildOddValues(): unknown[] {
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const cyclicArray: unknown[] = [];
  cyclicArray.push(cyclicArray);
  const cyclicMap = new Map<string, unknown>();
  cyclicMap.set("me", cyclicMap);
  const throwingGetter = Object.defineProperty({}, "boom", {
    enumerable: true,
    get() {
      throw new Error("getter exploded");
    },
  });
  const throwingProxy = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error("ownKeys trap");
      },
      get() {
        throw new Error("get trap");
      },
      getPrototypeOf() {
        throw new Error("getPrototypeOf trap");
      },
    },
  );
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const selfCause = new Error("with cause");
  (selfCause as { cause?: unknown }).cause = selfCause;
  const throwingToJson = {
    toJSON: () => {
      throw new Error("toJSON");
    },
  };
  const sparse: unknown[] = [];
  sparse[5] = "token=abc";
  return [
    undefined,
    null,
    0,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    10n ** 30n,
    Symbol("s"),
    "",
    "x",
    () => "fn",
    class Foo {},
    new Date(Number.NaN),
    /password=(.*)/g,
    new String("password=abc"),
    new Number(1),
    new Boolean(false),
    Object.create(null),
    Object.assign(Object.create(null), { token: "t" }),
    new Account(),
    cyclic,
    cyclicArray,
    cyclicMap,
    throwingGetter,
    throwingProxy,
    revoked,
    selfCause,
    throwingToJson,
    sparse,
    new ArrayBuffer(8),
    new DataView(new ArrayBuffer(4)),
    new Float64Array(2),
    Buffer.from("password=hunter2"),
    new WeakMap(),
    new WeakSet(),
    Promise.resolve(1),
    new URL("https://u:p@h/"),
    new URLSearchParams("token=a&b=c"),
    nestObjects(10_000),
    nestArrays(10_000),
    "x".repeat(5 * 1024 * 1024),
    `password=${"a".repeat(5 * 1024 * 1024)}`,
    JSON.parse('{"__proto__": {"password": "p"}, "token": "t"}'),
  ];
}

describe("redact is total", () => {
  test("every odd value returns without throwing", () => {
    for (const value of buildOddValues()) expect(() => redact(value)).not.toThrow();
  });

  test("odd values get stable markers", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = { back: cyclic };
    expect(redact(cyclic)).toEqual({ name: "loop", self: { back: CIRCULAR } });
    const throwingGetter = Object.defineProperty({ ok: 1 }, "boom", {
      enumerable: true,
      get() {
        throw new Error("getter exploded");
      },
    });
    expect(redact(throwingGetter)).toEqual({ ok: 1, boom: UNREADABLE });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(redact({ proxy })).toEqual({ proxy: UNREADABLE });
    expect(redact(new Account())).toEqual({ email: "ana@example.com", password: "[REDACTED]" });
    expect(redact(new String("password=abc"))).toBe("password=[REDACTED]");
    expect(redact(Buffer.from("password=hunter2"))).toBe("[Uint8Array 16 bytes]");
    expect(redact(() => 1)).toBe("[Function]");
  });

  test("shared references that are not cycles are copied, not marked", () => {
    const shared = { token: "t", n: 1 };
    expect(redact({ a: shared, b: shared })).toEqual({
      a: { token: "[REDACTED]", n: 1 },
      b: { token: "[REDACTED]", n: 1 },
    });
  });

  test("nesting deeper than 32 is cut and marked", () => {
    let value = redact(nestObjects(10_000)) as Record<string, unknown>;
    let depth = 0;
    while (typeof value.child === "object") {
      value = value.child as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(31);
    expect(value.child).toBe(MAX_DEPTH);
  });

  test("huge or lying arrays are cut, endless header iterators stop", () => {
    const sparse = new Array(1e9);
    sparse[0] = "token=abc";
    const cut = redact(sparse) as unknown[];
    expect(cut).toHaveLength(100_001);
    expect(cut[0]).toBe("token=[REDACTED]");
    expect(cut.at(-1)).toBe(`[+${1e9 - 100_000} more]`);
    const lying = new Proxy(["x"], {
      get: (target, key) => (key === "length" ? 2 ** 32 - 1 : Reflect.get(target, key)),
    });
    expect((redact(lying) as unknown[]).at(-1)).toBe(`[+${2 ** 32 - 1 - 100_000} more]`);
    function* endless(): Generator<[string, string]> {
      for (;;) yield ["x-loop", "Bearer abcdef123456"];
    }
    expect((redactHeaders(endless())["x-loop"] as string[]).length).toBe(10_000);
  });

  test("a __proto__ key stays an own key and is redacted like any other", () => {
    const output = redact(JSON.parse('{"__proto__": {"password": "p"}, "token": "t"}')) as object;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, "__proto__")?.value).toEqual({ password: "[REDACTED]" });
  });
});

// No timed assertion (STYLE.md §19): these only have to come back; a catastrophic regex would hang the run.
describe("no catastrophic backtracking on 1 MB adversarial strings", () => {
  const size = 1024 * 1024;
  const adversarial: Array<[string, string]> = [
    ["repeated PEM headers without END", "-----BEGIN RSA PRIVATE KEY-----".repeat(size / 32)],
    ["repeated BEGIN prefixes", "-----BEGIN ".repeat(size / 11)],
    ["repeated JWT heads", "eyJ".repeat(size / 3)],
    ["almost-JWT", `eyJ${"a".repeat(size)}.`],
    ["repeated Bearer", "Bearer ".repeat(size / 7)],
    ["repeated assignments", "a=".repeat(size / 2)],
    ["repeated sensitive assignments", "password=".repeat(size / 9)],
    ["repeated header lines", "Authorization: ".repeat(size / 15)],
    ["escaped quotes", '\\"'.repeat(size / 2)],
    ["quoted names", '"password":"'.repeat(size / 12)],
    ["backslash runs", `password=\\${"\\".repeat(size)}`],
    ["repeated schemes", "a://".repeat(size / 4)],
    ["query separators", `https://h/?${"a=&".repeat(size / 3)}`],
    ["long name", `${"a_".repeat(size / 2)}key=1`],
    ["rgw prefixes", "rgw_".repeat(size / 4)],
    ["AKIA run", "AKIA".repeat(size / 4)],
    ["percent soup", `https://h/?q=${"%".repeat(size)}`],
    ["userinfo soup", `https://${":".repeat(size)}@${"@".repeat(size)}`],
    ["newline soup", "password: x\n".repeat(size / 12)],
  ];

  test.each(adversarial)("%s", (_label, text) => {
    expect(typeof redactString(text)).toBe("string");
    expect(typeof redactUrl(text)).toBe("string");
    expect(typeof redactEnvList(text)).toBe("string");
    expect(typeof redactFormBody(text)).toBe("string");
  });

  test("huge header values", () => {
    expect(Object.keys(redactHeaders({ "x-big": "Bearer ".repeat(size / 7) }))).toEqual(["x-big"]);
  });
});
