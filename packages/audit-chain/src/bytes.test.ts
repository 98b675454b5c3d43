import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodeU64, encodeUtf8, frameFields, frameRecordFields } from "./bytes.js";

describe("frameRecordFields", () => {
  const tag = encodeUtf8("rack-gateway/test/v1");
  const cases: Array<[number, string[]]> = [
    [1, []],
    [2 ** 32 - 1, ["k1"]],
    [2 ** 32, ["key-ü", '{"a":"x\\u0000y","emoji":"🦄"}']],
    [Number.MAX_SAFE_INTEGER, ["", "ẞ".repeat(3000)]],
  ];

  it.each(cases)("writes exactly frameFields([tag, u64 %d, hash, ...texts])", (seq, texts) => {
    const hash = randomBytes(32);
    const expected = frameFields([tag, encodeU64(seq), new Uint8Array(hash), ...texts.map(encodeUtf8)]);
    const framed = frameRecordFields(tag, seq, hash.toString("hex"), "hash", texts);
    expect(new Uint8Array(framed)).toEqual(expected);
    const prefixed = frameRecordFields(tag, seq, hash.toString("hex"), "hash", texts, 0x00);
    expect(new Uint8Array(prefixed)).toEqual(new Uint8Array([0x00, ...expected]));
  });

  it("refuses a malformed hash or seq by name", () => {
    expect(() => frameRecordFields(tag, 1, "AB".repeat(32), "prevHash", [])).toThrow(
      /prevHash must be 64 lowercase hex digits/,
    );
    expect(() => frameRecordFields(tag, 1, "ab".repeat(31), "hash", [])).toThrow(TypeError);
    expect(() => frameRecordFields(tag, -1, "ab".repeat(32), "hash", [])).toThrow(RangeError);
    expect(() => frameRecordFields(tag, 1.5, "ab".repeat(32), "hash", [])).toThrow(RangeError);
  });
});
