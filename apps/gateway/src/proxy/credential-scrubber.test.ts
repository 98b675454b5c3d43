import { PassThrough, Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import {
  createFrameScrubber,
  pipeScrubbed,
  rackCredentialPatterns,
  scrubInPlace,
} from "./credential-scrubber.js";

const PASSWORD = "rack/p@ss-w0rd-1234567890";

async function throughScrubber(chunks: string[]): Promise<{ text: string; found: number; writes: number }> {
  let found = 0;
  let writes = 0;
  const destination = new PassThrough();
  const originalWrite = destination.write.bind(destination);
  destination.write = ((chunk: Buffer, ...rest: never[]) => {
    writes++;
    return originalWrite(chunk, ...rest);
  }) as typeof destination.write;
  pipeScrubbed(
    Readable.from(chunks.map((chunk) => Buffer.from(chunk))),
    destination,
    rackCredentialPatterns(PASSWORD),
    (n) => {
      found += n;
    },
  );
  const out = await buffer(destination);
  return { text: out.toString(), found, writes };
}

describe("rackCredentialPatterns", () => {
  it("covers the password as is, URL-escaped, and inside Basic credentials", () => {
    const spellings = rackCredentialPatterns(PASSWORD).map(String);
    expect(spellings).toContain(PASSWORD);
    expect(spellings).toContain(encodeURIComponent(PASSWORD));
    expect(spellings).toContain(Buffer.from(`convox:${encodeURIComponent(PASSWORD)}`).toString("base64"));
  });

  it("scrubs nothing for a password too short to tell from ordinary text", () => {
    expect(rackCredentialPatterns("pw")).toEqual([]);
  });
});

describe("pipeScrubbed", () => {
  it("overwrites every spelling with stars of the same length, leaving the rest alone", async () => {
    const body = `{"repository":"https://convox:${encodeURIComponent(PASSWORD)}@api.rack/x","raw":"${PASSWORD}"}`;
    const { text, found } = await throughScrubber([body]);
    expect(text).toHaveLength(body.length);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
    expect(text).toContain('{"repository":"https://convox:');
    expect(text).toContain("@api.rack/x");
    expect(found).toBe(2);
  });

  it("finds a password split across chunks, at any split point", async () => {
    const body = `log line: RACK_URL=https://convox:${PASSWORD}@api.rack\n`;
    for (let split = 1; split < body.length; split++) {
      const { text, found } = await throughScrubber([body.slice(0, split), body.slice(split)]);
      expect(text, `split at ${split}`).toHaveLength(body.length);
      expect(text, `split at ${split}`).not.toContain(PASSWORD);
      expect(found).toBe(1);
    }
  });

  it("passes answers without the password through byte for byte, however they are chunked", async () => {
    const body = "x".repeat(100_000);
    const chunks = body.match(/.{1,777}/gs) ?? [];
    const { text, found, writes } = await throughScrubber(chunks);
    expect(text).toBe(body);
    expect(found).toBe(0);
    // Nothing held back: each chunk goes out in one write, as with pipe.
    expect(writes).toBe(chunks.length);
  });

  it("holds back only an end that could begin the password, and lets it go when the answer ends", async () => {
    const { text, found } = await throughScrubber(["[1,2,3] then rack", "/p@"]);
    expect(text).toBe("[1,2,3] then rack/p@");
    expect(found).toBe(0);
  });

  it("scrubInPlace counts what it overwrote", () => {
    const data = Buffer.from(`${PASSWORD}|${PASSWORD}`);
    expect(scrubInPlace(data, rackCredentialPatterns(PASSWORD))).toBe(2);
    expect(data.toString()).toBe(`${"*".repeat(PASSWORD.length)}|${"*".repeat(PASSWORD.length)}`);
  });
});

describe("createFrameScrubber", () => {
  const frames = () => {
    const sent: Array<[string, boolean]> = [];
    const scrubber = createFrameScrubber({
      patterns: rackCredentialPatterns(PASSWORD),
      onFound: () => undefined,
      send: (data, binary) => sent.push([data.toString(), binary]),
      keepWhole: (data) => data.length === 0 || data.toString().startsWith("EXIT:"),
      holdMs: 10_000,
    });
    return { sent, scrubber };
  };

  it("joins a held frame end to the next frame of the same kind, scrubbing the password across them", () => {
    const { sent, scrubber } = frames();
    scrubber.push(Buffer.from(`pw=${PASSWORD.slice(0, 7)}`), false);
    scrubber.push(Buffer.from(`${PASSWORD.slice(7)}!`), false);
    expect(sent.map(([text]) => text).join("")).toBe(`pw=${"*".repeat(PASSWORD.length)}!`);
  });

  it("sends what it holds on its own before a frame that must stay whole (EOF, exit code) or of another kind", () => {
    const { sent, scrubber } = frames();
    scrubber.push(Buffer.from(`out ${PASSWORD.slice(0, 4)}`), false);
    scrubber.push(Buffer.from("EXIT:0"), false);
    scrubber.push(Buffer.from(PASSWORD.slice(0, 4)), true);
    scrubber.push(Buffer.from("text"), false);
    scrubber.push(Buffer.alloc(0), true);
    expect(sent).toEqual([
      ["out ", false],
      [PASSWORD.slice(0, 4), false],
      ["EXIT:0", false],
      [PASSWORD.slice(0, 4), true],
      ["text", false],
      ["", true],
    ]);
  });
});
