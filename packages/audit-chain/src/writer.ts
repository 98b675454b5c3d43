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
  /**
   * How long events appended with `{ urgent: false }` may wait for others to share their batch (default 0).
   * Fewer, larger batches cost the database and this process less per event. An urgent append — one a caller
   * waits on — starts its batch at once and takes every waiting event along, so it never waits this long.
   */
  readonly batchDelayMs?: number;
}

export interface AppendOptions {
  /**
   * True (the default) when the caller waits for the commit: the batch is written at once. False for events
   * nobody waits on (e.g. a read already answered), which may wait up to `batchDelayMs` to share a batch.
   */
  readonly urgent?: boolean;
}

export interface AuditWriter {
  /**
   * Validates `event` (rejects with TypeError if malformed), queues it, and resolves with its sealed record
   * once its batch is committed; rejects with `AuditWriteError` if the batch fails.
   */
  append(event: AuditEvent, options?: AppendOptions): Promise<AuditRecord>;
  /** Resolves once every event appended so far has been committed or rejected. */
  flush(): Promise<void>;
  /** Refuses further appends, then flushes. */
  close(): Promise<void>;
}

interface Pending {
  readonly event: AuditEvent;
  readonly urgent: boolean;
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
  const batchDelayMs = options.batchDelayMs ?? 0;
  if (!Number.isFinite(batchDelayMs) || batchDelayMs < 0) {
    throw new RangeError(`batchDelayMs must be a number of milliseconds ≥ 0, got ${batchDelayMs}`);
  }
  const queue: Pending[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;
  let flushing = 0;
  // Set while the drain waits out batchDelayMs: ends the wait early (urgent append, full batch, flush).
  let endDelay: (() => void) | null = null;
  const delay = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(finish, batchDelayMs);
      endDelay = finish;
      function finish() {
        clearTimeout(timer);
        endDelay = null;
        resolve();
      }
    });

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
    while (queue.length > 0) {
      const mayWait = batchDelayMs > 0 && !closed && flushing === 0 && queue.length < maxBatchSize;
      if (mayWait && !queue.some((pending) => pending.urgent)) {
        await delay();
      }
      await writeBatch(queue.splice(0, maxBatchSize));
    }
    draining = null;
  };

  return {
    append(event, appendOptions = {}) {
      if (closed) return Promise.reject(new AuditWriteError("WRITER_CLOSED", "the audit writer is closed"));
      let parsed: AuditEvent;
      try {
        parsed = parseAuditEvent(event);
        canonicalizeEvent(parsed);
      } catch (error) {
        return Promise.reject(error);
      }
      const urgent = appendOptions.urgent ?? true;
      return new Promise<AuditRecord>((resolve, reject) => {
        queue.push({ event: parsed, urgent, resolve, reject });
        draining ??= drain();
        if (urgent || queue.length >= maxBatchSize) endDelay?.();
      });
    },
    async flush() {
      flushing++;
      try {
        while (draining !== null) {
          endDelay?.();
          await draining;
        }
      } finally {
        flushing--;
      }
    },
    async close() {
      closed = true;
      while (draining !== null) {
        endDelay?.();
        await draining;
      }
    },
  };
}
