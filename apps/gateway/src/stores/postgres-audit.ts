/**
 * The audit chain in PostgreSQL. Appends are serialized by a transaction-scoped advisory lock, so any
 * number of pools and replicas on one database extend a single gapless chain.
 */
import type {
  AuditEvent,
  AuditRecord,
  AuditStore,
  ChainHead,
  ListAuditRecordsOptions,
  SealFunction,
  SignedCheckpoint,
} from "@rack-gateway/audit-chain";
import { asc, desc, gt, sql } from "drizzle-orm";
import { AUDIT_APPEND_LOCK_KEY, type GatewayDatabase } from "../db/database.js";
import { auditCheckpoints, auditRecords } from "../db/schema.js";

// 11 parameters a row; PostgreSQL allows 65,535 per statement.
const ROWS_PER_INSERT = 1000;

type AuditRow = typeof auditRecords.$inferInsert;

/** The audit store over drizzle (PGlite or postgres.js). */
export function createPostgresAuditStore(db: GatewayDatabase): AuditStore {
  return {
    async append(events: readonly AuditEvent[], seal: SealFunction): Promise<AuditRecord[]> {
      if (events.length === 0) return [];
      return db.transaction(async (tx) => {
        await tx.execute(sql.raw(`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK_KEY})`));
        const [last] = await tx
          .select({ seq: auditRecords.seq, hash: auditRecords.hash })
          .from(auditRecords)
          .orderBy(desc(auditRecords.seq))
          .limit(1);
        let previous: ChainHead | null = last ?? null;
        const records: AuditRecord[] = [];
        for (const event of events) {
          const record = seal(previous, event);
          assertLinks(previous, record);
          records.push(record);
          previous = { seq: record.seq, hash: record.hash };
        }
        for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
          await tx.insert(auditRecords).values(records.slice(start, start + ROWS_PER_INSERT).map(toRow));
        }
        return records;
      });
    },

    async head(): Promise<ChainHead | null> {
      const [last] = await db
        .select({ seq: auditRecords.seq, hash: auditRecords.hash })
        .from(auditRecords)
        .orderBy(desc(auditRecords.seq))
        .limit(1);
      return last ?? null;
    },

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

    async saveCheckpoint(checkpoint: SignedCheckpoint): Promise<void> {
      await db.insert(auditCheckpoints).values({
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash,
        chainHash: checkpoint.chainHash,
        time: checkpoint.time,
        signingKeyId: checkpoint.signingKeyId,
        signature: checkpoint.signature,
      });
    },

    async listCheckpoints(): Promise<SignedCheckpoint[]> {
      return db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
    },
  };
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

function toRow(record: AuditRecord): AuditRow {
  const { event } = record;
  return {
    seq: record.seq,
    prevHash: record.prevHash,
    keyId: record.keyId,
    hash: record.hash,
    eventJson: JSON.stringify(event),
    time: new Date(event.time),
    actor: event.actor.email ?? event.actor.name ?? event.actor.id ?? event.actor.type,
    action: event.action,
    app: event.app ?? null,
    decision: event.decision,
    status: event.status ?? null,
  };
}
