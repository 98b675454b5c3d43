import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type AuditEvent,
  type AuditRecord,
  type ChainHead,
  canonicalizeEvent,
  createChainSealer,
  createCheckpoint,
  GENESIS_HASH,
  hashAuditLeaf,
  merkleTreeHead,
  verifyChain,
  verifyCheckpoint,
} from "./index.js";

// Fixed inputs: changing anything here, or the encoding, must break the literals below.
const GOLDEN_KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const GOLDEN_KEY_ID = "golden-2026";
const CHECKPOINT_SEED = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const GOLDEN_EVENTS: AuditEvent[] = [
  {
    time: "2026-03-01T09:00:00.000Z",
    requestId: "req-001",
    actor: { type: "user", email: "alice@example.com" },
    action: "convox.request",
    method: "GET",
    path: "/apps",
    permission: "convox:apps:list",
    decision: "allow",
    reason: "role viewer grants convox:apps:list",
    status: 200,
    latencyMs: 31,
  },
  {
    time: "2026-03-01T09:00:05.250Z",
    requestId: "req-002",
    actor: { type: "user", email: "bob@example.com" },
    action: "convox.env.set",
    method: "POST",
    path: "/apps/web/releases",
    permission: "convox:env:set",
    app: "web",
    params: { env: ["DATABASE_URL=[REDACTED]", "LOG_LEVEL=debug"] },
    decision: "deny",
    reason: "role ops lacks convox:env:set",
    status: 403,
    latencyMs: 4.5,
  },
  {
    time: "2026-03-01T09:01:00.000Z",
    requestId: "req-003",
    actor: { type: "token", id: "tok_9", name: "ci", onBehalfOf: "carol@example.com" },
    action: "convox.build.create",
    method: "POST",
    path: "/apps/web/builds",
    app: "web",
    decision: "allow",
    reason: "deploy request dr_4 approved by admin@example.com",
    status: 201,
    latencyMs: 1250,
  },
  {
    time: "2026-03-01T09:02:30.125Z",
    requestId: "req-004",
    actor: { type: "user", email: "zoë@example.com" },
    action: "websocket.end",
    method: "SOCKET",
    path: "/apps/web/processes/p1/exec",
    app: "web",
    decision: "allow",
    reason: "exec ended ✓ — “ok” 🚀",
    detail: { exitCode: 0, durationMs: 98765, nested: { a: [1, 2.5, null, true] } },
  },
  {
    time: "2026-03-01T09:03:00.000Z",
    requestId: "req-005",
    actor: { type: "system" },
    action: "audit.checkpoint",
    decision: "allow",
    reason: "periodic checkpoint\u0000with NUL",
  },
];

const GOLDEN_HASHES = [
  "842b756912fd5218a9eb8cb19049c19189f139db3bb41f04b861a779048073da",
  "cbffc686bc22fd8ac9de31fc8e89339ad680ac286c3e3bfc4ec50d6ba1f50ac4",
  "fa2a56b2edcb5966f8466c47b376abc97ecba2039825405e4a2fc7bb53e7c182",
  "3be189bf177901a92bcccebb6d25569e6e081359e5d905ae6c1993254122411b",
  "0936dd0912589ad9b4d7b281932e6a0c2ebece6f23c423962802984284031de8",
];
const GOLDEN_LEAF_HASHES = [
  "e3a8b2fed8ba141ae57fbf3371a07a4ca2821ccf36c42e9aeebdb232e206e71e",
  "783757c6f3711c1b522e82e8eb27c0f2b2912207f90ee8340f29857ee1c890be",
  "7ca208385864a19448ae1e971d208b541c4154e56b86831c6e3948870b354f8f",
  "c9d868b6bdf97cb30efe0626b5d0a031778c0fb415631961e66f8f853745ed34",
  "1089c586fa3000b20db7b4eb348245795637bd88fcead60482607f773e4b654c",
];
const GOLDEN_ROOT = "9d9360b1c218b5dfc40c6d577d2f299232196ba8aa1fbf50e2631064526f709e";
const GOLDEN_CHECKPOINT = {
  treeSize: 5,
  rootHash: GOLDEN_ROOT,
  chainHash: "0936dd0912589ad9b4d7b281932e6a0c2ebece6f23c423962802984284031de8",
  time: "2026-03-01T10:00:00.000Z",
  signingKeyId: "cp-2026",
  signature: "P6lQFiwP4wLq7jHSDMLxKzw37GTL2E4a6v7uTfPRzLW7TJb6CUF9c7xr4IJkbauIIX4RC4eejx1f70erfU7LAQ",
};

function sealGolden(): AuditRecord[] {
  const seal = createChainSealer({ keys: { [GOLDEN_KEY_ID]: GOLDEN_KEY }, currentKeyId: GOLDEN_KEY_ID });
  const records: AuditRecord[] = [];
  let head: ChainHead | null = null;
  for (const event of GOLDEN_EVENTS) {
    const record: AuditRecord = seal(head, event);
    records.push(record);
    head = record;
  }
  return records;
}

// u32-BE length prefix, assembled by hand so the test does not share code with the implementation.
function field(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

describe("golden audit chain", () => {
  it("seals the fixed events to the committed hashes", () => {
    const records = sealGolden();
    expect(records.map((record) => record.hash)).toEqual(GOLDEN_HASHES);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    records.slice(1).forEach((record, i) => {
      expect(record.prevHash).toBe(GOLDEN_HASHES[i]);
    });
    expect(verifyChain(records, { [GOLDEN_KEY_ID]: GOLDEN_KEY })).toEqual({
      ok: true,
      head: { seq: 5, hash: GOLDEN_HASHES[4] },
      count: 5,
      checkpointsVerified: 0,
    });
  });

  it("follows the documented MAC input: tag, u64 seq, prevHash bytes, keyId, canonical event", () => {
    const canonical =
      '{"action":"convox.request","actor":{"email":"alice@example.com","type":"user"},"decision":"allow",' +
      '"latencyMs":31,"method":"GET","path":"/apps","permission":"convox:apps:list",' +
      '"reason":"role viewer grants convox:apps:list","requestId":"req-001","status":200,' +
      '"time":"2026-03-01T09:00:00.000Z"}';
    expect(canonicalizeEvent(GOLDEN_EVENTS[0] as AuditEvent)).toBe(canonical);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(1n);
    const input = Buffer.concat([
      field(Buffer.from("rack-gateway/audit-chain/v1")),
      field(seq),
      field(Buffer.alloc(32)),
      field(Buffer.from(GOLDEN_KEY_ID)),
      field(Buffer.from(canonical)),
    ]);
    expect(createHmac("sha256", GOLDEN_KEY).update(input).digest("hex")).toBe(GOLDEN_HASHES[0]);
  });

  it("hashes Merkle leaves as SHA-256(0x00 ‖ tag, u64 seq, chain hash, canonical event)", () => {
    const records = sealGolden();
    expect(records.map((record) => Buffer.from(hashAuditLeaf(record)).toString("hex"))).toEqual(
      GOLDEN_LEAF_HASHES,
    );
    const record = records[0] as AuditRecord;
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(1n);
    const leafData = Buffer.concat([
      field(Buffer.from("rack-gateway/audit-chain/leaf/v1")),
      field(seq),
      field(Buffer.from(record.hash, "hex")),
      field(Buffer.from(canonicalizeEvent(record.event))),
    ]);
    const leaf = createHash("sha256").update(Buffer.of(0)).update(leafData).digest("hex");
    expect(leaf).toBe(GOLDEN_LEAF_HASHES[0]);
  });

  it("has the committed Merkle root: H(1, H(1, H(1, l0, l1), H(1, l2, l3)), l4)", () => {
    const records = sealGolden();
    expect(Buffer.from(merkleTreeHead(records.map(hashAuditLeaf))).toString("hex")).toBe(GOLDEN_ROOT);
    const node = (left: Buffer, right: Buffer) =>
      createHash("sha256").update(Buffer.of(1)).update(left).update(right).digest();
    const [l0, l1, l2, l3, l4] = GOLDEN_LEAF_HASHES.map((leaf) => Buffer.from(leaf, "hex")) as [
      Buffer,
      Buffer,
      Buffer,
      Buffer,
      Buffer,
    ];
    expect(node(node(node(l0, l1), node(l2, l3)), l4).toString("hex")).toBe(GOLDEN_ROOT);
  });

  it("signs the committed checkpoint (Ed25519 is deterministic) and it verifies with the raw public key", () => {
    const checkpoint = createCheckpoint({
      records: sealGolden(),
      time: new Date("2026-03-01T10:00:00.000Z"),
      signingKey: { keyId: "cp-2026", privateKey: CHECKPOINT_SEED },
    });
    expect(checkpoint).toEqual(GOLDEN_CHECKPOINT);
    const publicKey = Buffer.from("bafc71bead3ac5e4b63e9c8216ee71a34aaec65722eedbca728b4e9b3ccce396", "hex");
    expect(publicKey.length).toBe(32);
    expect(verifyCheckpoint(GOLDEN_CHECKPOINT, { "cp-2026": publicKey })).toEqual({ ok: true });
  });
});
