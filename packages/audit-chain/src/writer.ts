/**
 * Group commit: events arriving while a batch is being written wait and go out together in the next single
 * `store.append`, so one database round trip (and one lock acquisition) serves many requests.
 */
import { canonicalizeEvent } from "./canonicalize.js";
import { type AuditEvent, parseAuditEvent } from "./event.js";
import type { AuditRecord, AuditStore, SealFunction } from "./store.js";

/** Thrown (as a rejection) when an event could not be durably written. `cause` holds the store's error. */
export class AuditWriteError extends Error {
  override readonly name = "AuditWriteError";
  /** `BATCH_FAILED`: the store rejected the batch holding this event. `WRITER_CLOSED`: append after close. */
  readonly code: "BATCH_FAILED" | "WRITER_CLOSED";
  /** Number of events in the failed batch (0 for WRITER_CLOSED). */
  readonly batchSize: number;

  constructor(
    code: "BATCH_FAILED" | "WRITER_CLOSED",
    message: string,
    options: { cause?: unknown; batchSize?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.batchSize = options.batchSize ?? 0;
  }
}

export interface AuditWriterOptions {
  readonly store: AuditStore;
  readonly seal: SealFunction;
  /** Most events per `store.append` call (default 256). */
  readonly maxBatchSize?: number;
  /** Called after each committed batch, in commit order. Must not throw; anything it throws is ignored. */
  readonly onCommitted?: (records: readonly AuditRecord[]) => void;
}

export interface AuditWriter {
  /**
   * Validates `event` (rejects with TypeError if malformed), queues it, and resolves with its sealed record
   * once its batch is committed; rejects with `AuditWriteError` if the batch fails.
   */
  append(event: AuditEvent): Promise<AuditRecord>;
  /** Resolves once every event appended so far has been committed or rejected. */
  flush(): Promise<void>;
  /** Refuses further appends, then flushes. */
  close(): Promise<void>;
}

interface Pending {
  readonly event: AuditEvent;
  readonly resolve: (record: AuditRecord) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Creates a group-commit writer. One `store.append` is in flight at a time per writer; the store serializes
 * writers across processes.
 *
 * @example
 * const writer = createAuditWriter({ store, seal });
 * const record = await writer.append(event); // durable once this resolves
 */
export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const { store, seal, onCommitted } = options;
  const maxBatchSize = options.maxBatchSize ?? 256;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  }
  const queue: Pending[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;

  const writeBatch = async (batch: Pending[]): Promise<void> => {
    let records: AuditRecord[];
    try {
      records = await store.append(
        batch.map((pending) => pending.event),
        seal,
      );
      if (records.length !== batch.length) {
        throw new TypeError(`store.append returned ${records.length} records for ${batch.length} events`);
      }
    } catch (cause) {
      const error = new AuditWriteError(
        "BATCH_FAILED",
        `audit batch of ${batch.length} events was not written`,
        {
          cause,
          batchSize: batch.length,
        },
      );
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      pending.resolve(records[i] as AuditRecord);
    });
    try {
      onCommitted?.(records);
    } catch {
      // The records are durable; a failing observer must not turn that into an error for the callers.
    }
  };

  const drain = async (): Promise<void> => {
    // Yield once so appends made in the same tick join the first batch.
    await Promise.resolve();
    while (queue.length > 0) await writeBatch(queue.splice(0, maxBatchSize));
    draining = null;
  };

  return {
    append(event) {
      if (closed) return Promise.reject(new AuditWriteError("WRITER_CLOSED", "the audit writer is closed"));
      let parsed: AuditEvent;
      try {
        parsed = parseAuditEvent(event);
        canonicalizeEvent(parsed);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise<AuditRecord>((resolve, reject) => {
        queue.push({ event: parsed, resolve, reject });
        draining ??= drain();
      });
    },
    async flush() {
      while (draining !== null) await draining;
    },
    async close() {
      closed = true;
      while (draining !== null) await draining;
    },
  };
}
