// Threat: an attacker forges or alters a signed checkpoint, to fake a truncation alarm or to vouch for a rewritten chain.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createCheckpoint,
  deriveCheckpointSigningKey,
  exportPublicKey,
  type SignedCheckpoint,
  verifyChain,
  verifyCheckpoint,
} from "./index.js";
import { makeTestChain } from "./testing/index.js";

const genuineKey = deriveCheckpointSigningKey(new Uint8Array(32).fill(3), "anchor-1");
const publicKeys = { "anchor-1": exportPublicKey(genuineKey) };
const time = new Date("2026-06-01T12:00:00.000Z");

describe("threat: forged checkpoints", () => {
  const { records, keys } = makeTestChain({ length: 6 });
  const genuine = createCheckpoint({ records, time, signingKey: genuineKey });
  const attacker = generateKeyPairSync("ed25519");

  const forgeries: [string, SignedCheckpoint][] = [
    [
      "signed by an attacker key under the genuine key id",
      createCheckpoint({ records, time, signingKey: { keyId: "anchor-1", privateKey: attacker.privateKey } }),
    ],
    ["with a larger treeSize (fake truncation)", { ...genuine, treeSize: 9 }],
    ["with an altered root", { ...genuine, rootHash: "00".repeat(32) }],
    ["with an altered chain hash", { ...genuine, chainHash: "11".repeat(32) }],
    ["with an altered time", { ...genuine, time: "2026-06-01T12:00:00.001Z" }],
    [
      "with a signature transplanted from another checkpoint",
      {
        ...genuine,
        signature: createCheckpoint({ records: records.slice(0, 3), time, signingKey: genuineKey }).signature,
      },
    ],
  ];

  it.each(forgeries)("verifyCheckpoint rejects a checkpoint %s as BAD_SIGNATURE", (_name, forged) => {
    expect(verifyCheckpoint(forged, publicKeys)).toMatchObject({
      ok: false,
      reason: { code: "BAD_SIGNATURE" },
    });
  });

  it.each(forgeries)(
    "verifyChain reports a checkpoint %s as CHECKPOINT_INVALID, never as TRUNCATED",
    (_name, forged) => {
      expect(
        verifyChain(records, keys, { checkpoints: [forged], checkpointPublicKeys: publicKeys }),
      ).toMatchObject({
        ok: false,
        reason: { code: "CHECKPOINT_INVALID" },
      });
    },
  );

  it("rejects a checkpoint from an unknown signing key id", () => {
    const rogue = createCheckpoint({
      records,
      time,
      signingKey: { keyId: "rogue", privateKey: attacker.privateKey },
    });
    expect(verifyCheckpoint(rogue, publicKeys)).toMatchObject({
      ok: false,
      reason: { code: "UNKNOWN_SIGNING_KEY" },
    });
    expect(verifyCheckpoint({ ...genuine, signingKeyId: "toString" }, publicKeys)).toMatchObject({
      ok: false,
      reason: { code: "UNKNOWN_SIGNING_KEY" },
    });
  });

  it("rejects malformed checkpoints without throwing", () => {
    const malformed: SignedCheckpoint[] = [
      { ...genuine, signature: `${genuine.signature}=` },
      { ...genuine, signature: genuine.signature.slice(0, -2) },
      { ...genuine, rootHash: genuine.rootHash.toUpperCase() },
      { ...genuine, treeSize: -1 },
      { ...genuine, treeSize: 1.5 },
    ];
    for (const checkpoint of malformed) {
      expect(verifyCheckpoint(checkpoint, publicKeys)).toMatchObject({
        ok: false,
        reason: { code: "MALFORMED_CHECKPOINT" },
      });
    }
  });

  it("accepts the genuine checkpoint, and refuses to check checkpoints without public keys", () => {
    expect(verifyCheckpoint(genuine, publicKeys)).toEqual({ ok: true });
    expect(
      verifyChain(records, keys, { checkpoints: [genuine], checkpointPublicKeys: publicKeys }),
    ).toMatchObject({
      ok: true,
      checkpointsVerified: 1,
    });
    expect(() => verifyChain(records, keys, { checkpoints: [genuine] })).toThrow(TypeError);
  });
});
