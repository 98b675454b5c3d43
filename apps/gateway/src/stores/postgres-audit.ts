/**
 * The audit chain in PostgreSQL (or PGlite). Any number of pools and replicas on one database extend a single
 * gapless chain, and in the common case a batch costs one statement — one round trip:
 *
 * - Every append statement takes a transaction-scoped advisory lock, so appends commit one after another.
 * - Fast path: the store remembers the head it last committed, seals the batch onto it and inserts it with one
 *   prepared statement that checks, in the database, that this head is still there. The primary key on `seq`
 *   refuses the batch if another writer got there first.
 * - Slow path (first append of a process, or after the fast path lost): a transaction takes the lock, reads
 *   the head, seals onto it and inserts. Holding the lock, it cannot lose, so no writer starves.
 * - The chain only ever grows: other replicas move the head forward, never back. When the newest record this
 *   store has seen is gone or changed, someone cut the tail in the database; appending would seal onto the cut
 *   and hide it, so the store refuses every append (AuditHeadMissingError) until the process is restarted.
 *
 * (The earlier design ran the slow path for every batch: five round trips, which cost more than sealing.)
 */
import {
  type AuditEvent,
  type AuditRecord,
  type AuditStore,
  assertFrontierFits,
  type ChainHead,
  type CheckpointWithFrontier,
  type ListAuditRecordsOptions,
  type MerkleFrontier,
  type SealFunction,
  type SignedCheckpoint,
} from "@rack-gateway/audit-chain";
import { asc, desc, gt, isNotNull, sql } from "drizzle-orm";
import {
  AUDIT_APPEND_LOCK_KEY,
  type GatewayDatabase,
  type RunStatement,
  type StatementRunner,
} from "../db/database.js";
import { auditCheckpoints, auditRecords } from "../db/schema.js";
import { AuditHeadMissingError, hasSqlState, UNIQUE_VIOLATION } from "./errors.js";

const LOCK_APPENDS = `SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK_KEY})`;
const READ_HEAD = "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1";
/** The head, and the hash now stored at the seq of the newest head this store has seen ($1; 0 = none). */
const READ_HEAD_AND_SEEN = `SELECT seq, hash, (SELECT hash FROM audit_records WHERE seq = $1::bigint) AS seen_hash
FROM audit_records ORDER BY seq DESC LIMIT 1`;
/**
 * The rows travel as one JSON text parameter that PostgreSQL unpacks itself ($1). They are inserted, under the
 * append lock, only if the record the batch was sealed onto is there ($2 seq, $3 hash; seq 0 = empty chain).
 */
const APPEND_BATCH = `WITH appending AS MATERIALIZED (${LOCK_APPENDS})
INSERT INTO audit_records
  (seq, prev_hash, key_id, hash, event_json, time, actor, action, app, decision, status)
SELECT seq, prev_hash, key_id, hash, event_json, time, actor, action, app, decision, status
FROM appending, json_to_recordset($1::text::json) AS batch(
  seq bigint, prev_hash text, key_id text, hash text, event_json text, time timestamptz,
  actor text, action text, app text, decision text, status integer)
WHERE CASE WHEN $2::bigint = 0 THEN NOT EXISTS (SELECT 1 FROM audit_records)
  ELSE EXISTS (SELECT 1 FROM audit_records WHERE seq = $2::bigint AND hash = $3::text) END`;

const appendParams = (head: ChainHead | null, records: readonly AuditRecord[]) => [
  JSON.stringify(records.map(toRow)),
  head?.seq ?? 0,
  head?.hash ?? "",
];

/** The audit store over drizzle (PGlite or postgres.js); appends go through `statements`. */
export function createPostgresAuditStore(db: GatewayDatabase, statements: StatementRunner): AuditStore {
  const readHead = async (run: RunStatement): Promise<ChainHead | null> => {
    const [last] = (await run(READ_HEAD, [])).rows;
    return last ? { seq: Number(last.seq), hash: String(last.hash) } : null;
  };
  // The head this store last committed; null for an empty chain, undefined when unknown.
  let knownHead: ChainHead | null | undefined;
  // The newest head this store committed or read. Unlike knownHead it survives a failed append (whose outcome
  // is unknown): the chain can only have grown past it since, unless someone cut it.
  let seenHead: ChainHead | null = null;
  // Appends from this process go one at a time, so they never collide with each other.
  let previousAppend: Promise<unknown> = Promise.resolve();

  const fastPath = async (head: ChainHead | null, events: readonly AuditEvent[], seal: SealFunction) => {
    const records = sealOnto(head, events, seal);
    try {
      const { count } = await statements.run(APPEND_BATCH, appendParams(head, records));
      if (count === records.length) return records;
      if (count !== 0) throw new Error(`the audit batch inserted ${count} of ${records.length} rows`);
      return null; // the head is gone: the slow path finds out how, and refuses a cut tail
    } catch (error) {
      if (hasSqlState(error, UNIQUE_VIOLATION)) return null; // another writer appended first
      throw error;
    }
  };

  const slowPath = (events: readonly AuditEvent[], seal: SealFunction) =>
    statements.transaction(async (run) => {
      await run(LOCK_APPENDS, []);
      const [row] = (await run(READ_HEAD_AND_SEEN, [seenHead?.seq ?? 0])).rows;
      const head = row ? { seq: Number(row.seq), hash: String(row.hash) } : null;
      if (seenHead !== null && row?.seen_hash !== seenHead.hash)
        throw new AuditHeadMissingError(seenHead, head);
      const records = sealOnto(head, events, seal);
      const { count } = await run(APPEND_BATCH, appendParams(head, records));
      if (count !== records.length) {
        throw new Error(`the audit batch inserted ${count} of ${records.length} rows under the append lock`);
      }
      return records;
    });

  const appendSerially = async (events: readonly AuditEvent[], seal: SealFunction) => {
    try {
      const records =
        (knownHead === undefined ? null : await fastPath(knownHead, events, seal)) ??
        (await slowPath(events, seal));
      const last = records[records.length - 1] as AuditRecord;
      knownHead = { seq: last.seq, hash: last.hash };
      seenHead = knownHead;
      return records;
    } catch (error) {
      // Whether it committed is unknown (a dropped connection): find out from the database next time.
      knownHead = undefined;
      throw error;
    }
  };

  return {
    async append(events: readonly AuditEvent[], seal: SealFunction): Promise<AuditRecord[]> {
      if (events.length === 0) return [];
      const appended = previousAppend.then(() => appendSerially(events, seal));
      previousAppend = appended.catch(() => undefined);
      return appended;
    },

    head: () => readHead(statements.run),

    async list(options: ListAuditRecordsOptions): Promise<AuditRecord[]> {
      const afterSeq = options.afterSeq ?? 0;
      if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
        throw new RangeError(`afterSeq must be a whole number ≥ 0, got ${afterSeq}`);
      }
      if (!Number.isSafeInteger(options.limit) || options.limit <= 0) {
        throw new RangeError(
          `limit must be a whole number ≥ 1, got ${options.limit}; page through with afterSeq`,
        );
      }
      const rows = await db
        .select({
          seq: auditRecords.seq,
          prevHash: auditRecords.prevHash,
          keyId: auditRecords.keyId,
          hash: auditRecords.hash,
          eventJson: auditRecords.eventJson,
        })
        .from(auditRecords)
        .where(gt(auditRecords.seq, afterSeq))
        .orderBy(asc(auditRecords.seq))
        .limit(options.limit);
      return rows.map((row) => ({
        seq: row.seq,
        prevHash: row.prevHash,
        keyId: row.keyId,
        hash: row.hash,
        event: JSON.parse(row.eventJson) as AuditEvent,
      }));
    },

    async count(): Promise<number> {
      const [row] = await db.select({ count: sql<number>`count(*)`.mapWith(Number) }).from(auditRecords);
      return row?.count ?? 0;
    },

    async saveCheckpoint(checkpoint: SignedCheckpoint, frontier?: MerkleFrontier): Promise<void> {
      assertFrontierFits(checkpoint.treeSize, frontier);
      await db.insert(auditCheckpoints).values({
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash,
        chainHash: checkpoint.chainHash,
        time: checkpoint.time,
        signingKeyId: checkpoint.signingKeyId,
        signature: checkpoint.signature,
        frontier: frontier === undefined ? null : frontier.hashes.join(","),
      });
    },

    async listCheckpoints(): Promise<SignedCheckpoint[]> {
      return db.select(CHECKPOINT_COLUMNS).from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
    },

    async latestCheckpointFrontier(): Promise<CheckpointWithFrontier | null> {
      const [row] = await db
        .select({ ...CHECKPOINT_COLUMNS, frontier: auditCheckpoints.frontier })
        .from(auditCheckpoints)
        .where(isNotNull(auditCheckpoints.frontier))
        .orderBy(desc(auditCheckpoints.treeSize))
        .limit(1);
      if (!row || row.frontier === null) return null;
      const { frontier, ...checkpoint } = row;
      return { checkpoint, frontier: { size: checkpoint.treeSize, hashes: frontier.split(",") } };
    },
  };
}

const CHECKPOINT_COLUMNS = {
  treeSize: auditCheckpoints.treeSize,
  rootHash: auditCheckpoints.rootHash,
  chainHash: auditCheckpoints.chainHash,
  time: auditCheckpoints.time,
  signingKeyId: auditCheckpoints.signingKeyId,
  signature: auditCheckpoints.signature,
};

/** Seals the whole batch onto `head`; throws (and nothing is written) if an event fails the schema. */
function sealOnto(head: ChainHead | null, events: readonly AuditEvent[], seal: SealFunction): AuditRecord[] {
  let previous = head;
  return events.map((event) => {
    const record = seal(previous, event);
    assertLinks(previous, record);
    previous = { seq: record.seq, hash: record.hash };
    return record;
  });
}

// The seal function is the caller's; a record that does not link onto the head would break the chain.
function assertLinks(previous: ChainHead | null, record: AuditRecord): void {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (record.seq !== expectedSeq || (previous !== null && record.prevHash !== previous.hash)) {
    throw new TypeError(
      `the seal function returned record ${record.seq} that does not extend the chain head ` +
        `(${previous === null ? "empty chain" : `seq ${previous.seq}`}); seal must chain onto the head it is given`,
    );
  }
}

/** A record as the JSON object `json_to_recordset` reads: keys are the column names. */
function toRow(record: AuditRecord) {
  const { event } = record;
  return {
    seq: record.seq,
    prev_hash: record.prevHash,
    key_id: record.keyId,
    hash: record.hash,
    // The event exactly as given (key order included): verification canonicalizes it again anyway.
    event_json: JSON.stringify(event),
    time: event.time,
    actor: event.actor.email ?? event.actor.name ?? event.actor.id ?? event.actor.type,
    action: event.action,
    app: event.app ?? null,
    decision: event.decision,
    status: event.status ?? null,
  };
}
