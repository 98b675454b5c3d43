import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConvoxClient, createWsSocketFactory } from "../index.js";
import { type FakeRack, startFakeRack } from "./index.js";

const CHUNK_BYTES = 1024 * 1024;
const CHUNKS = 20;
let rack: FakeRack;

beforeAll(async () => {
  rack = await startFakeRack({ password: "pw", retainObjects: false });
});
afterAll(() => rack.close());

function chunkAt(index: number): Uint8Array {
  return new Uint8Array(CHUNK_BYTES).fill(index * 7 + 1);
}

describe("streaming uploads with retainObjects: false", () => {
  it("hashes a 20 MB upload as it streams and keeps only size and sha256", async () => {
    const expected = createHash("sha256");
    for (let i = 0; i < CHUNKS; i++) expected.update(chunkAt(i));
    let produced = 0;
    async function* tarball() {
      for (let i = 0; i < CHUNKS; i++) {
        produced += 1;
        yield chunkAt(i);
      }
    }
    const client = createConvoxClient({
      url: rack.url,
      password: "pw",
      fetch,
      openWebSocket: createWsSocketFactory(),
    });
    let lastProgress = 0;
    const object = await client.uploadObject("myapp", "tmp/big.tgz", tarball(), {
      onProgress: (sent) => (lastProgress = sent),
    });
    expect(object.url).toBe("object://myapp/tmp/big.tgz");
    expect(produced).toBe(CHUNKS);
    expect(lastProgress).toBe(CHUNKS * CHUNK_BYTES);
    const stored = rack.state.objects.get("myapp/tmp/big.tgz");
    expect(stored).toEqual({
      app: "myapp",
      key: "tmp/big.tgz",
      size: CHUNKS * CHUNK_BYTES,
      sha256: expected.digest("hex"),
    });
    expect(stored && "bytes" in stored).toBe(false);
    const recorded = rack.requests.at(-1)!;
    expect(recorded.bodyBytes).toBe(CHUNKS * CHUNK_BYTES);
    expect(recorded.bodySha256).toBe(stored?.sha256);
    expect(recorded.headers["transfer-encoding"]).toBe("chunked");
  });

  it("answers 410 when asked for bytes it did not keep", async () => {
    const answer = await fetch(`${rack.url}/apps/myapp/objects/tmp/big.tgz`, {
      headers: { Authorization: `Basic ${Buffer.from("convox:pw").toString("base64")}` },
    });
    expect(answer.status).toBe(410);
  });
});
