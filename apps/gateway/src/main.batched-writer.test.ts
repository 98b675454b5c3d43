import { describe, expect, it } from "vitest";
import { createBatchedLineWriter } from "./main.js";

describe("createBatchedLineWriter", () => {
  it("writes the lines of one event-loop turn in one call, in order, each ending in a newline", async () => {
    const writes: string[] = [];
    const writeLine = createBatchedLineWriter((text) => writes.push(text));
    writeLine('{"seq":1}');
    writeLine('{"seq":2}');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    writeLine('{"seq":3}');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['{"seq":1}\n{"seq":2}\n', '{"seq":3}\n']);
  });
});
