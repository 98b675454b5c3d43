import { describe, expect, it } from "vitest";
import { canonicalizeEvent, canonicalizeJson } from "./index.js";
import { makeTestEvent } from "./testing/index.js";

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe("canonicalizeJson (RFC 8785)", () => {
  // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
  it.each([
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ])("serializes the double %s as %s (Appendix B)", (bits, expected) => {
    expect(canonicalizeJson(fromBits(bits))).toBe(expected);
  });

  it.each([
    ["7fffffffffffffff", "NaN"],
    ["7ff0000000000000", "Infinity"],
    ["fff0000000000000", "-Infinity"],
  ])("rejects the double %s (%s) with a TypeError", (bits) => {
    expect(() => canonicalizeJson(fromBits(bits))).toThrow(TypeError);
  });

  it("matches the RFC 8785 §3.2.2 example", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        '"literals": [null, true, false]}',
    );
    expect(canonicalizeJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)", () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        '"1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        '"\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    expect(canonicalizeJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("escapes exactly the RFC 8785 §3.2.2.2 set: short forms, then lowercase \\u00xx", () => {
    const controls = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join("");
    expect(canonicalizeJson(controls)).toBe(
      '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
        '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"',
    );
    expect(canonicalizeJson('"\\/\u007f\u2028\u2029é😀')).toBe('"\\"\\\\/\u007f\u2028\u2029é😀"');
  });

  it("agrees with JSON.stringify on strings without lone surrogates", () => {
    const samples = ["", "plain", "a\u0000b", "tab\there", "🚀 launch", "\u00ad\u200b", 'quote"back\\slash'];
    for (const sample of samples) expect(canonicalizeJson(sample)).toBe(JSON.stringify(sample));
  });

  it("omits undefined object members and ignores key insertion order", () => {
    expect(canonicalizeJson({ b: 2, a: undefined, c: { z: 1, y: [1, "x"] } })).toBe(
      '{"b":2,"c":{"y":[1,"x"],"z":1}}',
    );
    expect(canonicalizeJson({ x: 1, y: 2 })).toBe(canonicalizeJson({ y: 2, x: 1 }));
  });

  it.each([
    ["a lone high surrogate", "\ud800"],
    ["a lone low surrogate in a key", { "\udc00": 1 }],
    ["a reversed surrogate pair", "\ude00\ud83d"],
    ["a bigint", 1n],
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["undefined", undefined],
    ["undefined in an array", [undefined]],
    ["a Date", new Date(0)],
    ["a Map", new Map()],
  ])("rejects %s with a TypeError", (_name, value) => {
    expect(() => canonicalizeJson(value)).toThrow(TypeError);
  });

  it("rejects cycles but allows repeated (acyclic) references", () => {
    const shared = { v: 1 };
    expect(canonicalizeJson({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalizeJson(cyclic)).toThrow(TypeError);
  });

  it("canonicalizes an audit event independently of field order", () => {
    const event = makeTestEvent({ params: { b: 1, a: [true, null] } });
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as typeof event;
    expect(canonicalizeEvent(reordered)).toBe(canonicalizeEvent(event));
    expect(canonicalizeEvent(event)).toBe(
      '{"action":"convox.request","actor":{"email":"alice@example.com","type":"user"},"decision":"allow",' +
        '"latencyMs":12,"method":"GET","params":{"a":[true,null],"b":1},"path":"/apps",' +
        '"permission":"convox:apps:list","reason":"role viewer grants convox:apps:list","requestId":"req-1",' +
        '"status":200,"time":"2026-01-01T00:00:00.000Z"}',
    );
  });

  it("orders integer-like keys by code units too, though JavaScript enumerates them first", () => {
    expect(canonicalizeJson({ b: 1, 10: "ten", 9: "nine", a: { 2: true, 10: false } })).toBe(
      '{"10":"ten","9":"nine","a":{"10":false,"2":true},"b":1}',
    );
  });

  it('keeps a "__proto__" member (as parsed JSON has it) as a member', () => {
    const parsed = JSON.parse('{"z":1,"__proto__":{"polluted":true}}') as unknown;
    expect(canonicalizeJson(parsed)).toBe('{"__proto__":{"polluted":true},"z":1}');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("names the path of a lone surrogate deep inside an otherwise valid value", () => {
    expect(() => canonicalizeJson({ a: [{ ok: "x" }, { bad: "\ud800" }] })).toThrow(/\$\.a\[1\]\.bad/);
    expect(() => canonicalizeJson({ a: { "\udc00": 1 } })).toThrow(/lone UTF-16 surrogate/);
  });
});
