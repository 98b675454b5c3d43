/**
 * The gateway's audit log: every event goes through one group-committing writer onto the hash chain in the
 * database, and — once committed — out to stdout as one JSON line for log shipping (CloudWatch, a SIEM).
 *
 * Fail closed: `recordDurably` resolves only once the event is committed; callers forward a mutating request
 * only after that. When a write fails, the log turns unhealthy and the proxy answers 503 until a write succeeds.
 */
import {
  type AuditEvent,
  type AuditRecord,
  type AuditStore,
  canonicalizeEvent,
  createAuditWriter,
  createChainSealer,
} from "@rack-gateway/audit-chain";

export interface AuditLogOptions {
  readonly store: AuditStore;
  readonly keys: Readonly<Record<string, Uint8Array>>;
  readonly currentKeyId: string;
  /** Receives one JSON line per committed record (stdout in production; null to disable). */
  readonly writeLine: ((line: string) => void) | null;
  /** Where failures are reported (never to the client). */
  readonly logError: (message: string, error: unknown) => void;
  /** Called with each committed batch (after the stdout lines), e.g. to schedule a checkpoint. */
  readonly onCommitted?: (records: readonly AuditRecord[]) => void;
  /**
   * How long `record`ed events (nobody waits on them) may wait to share a batch; `recordDurably` never waits and
   * takes them along. Default 0.
   */
  readonly batchDelayMs?: number;
}

export interface AuditLog {
  /** Appends and waits for the commit. Rejects with the store's error when the record could not be written. */
  recordDurably(event: AuditEvent): Promise<AuditRecord>;
  /**
   * Appends without making the caller wait (reads, after the response); the event may wait up to `batchDelayMs`
   * to share a batch. Failures mark the log unhealthy.
   */
  record(event: AuditEvent): void;
  /** False after a failed write, until a later write succeeds. */
  isHealthy(): boolean;
  /** Waits for every queued event. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `{"type":"audit","seq":…,"hash":…, …event}` as one JSON line. The event part is its canonical text, which the
 * seal already computed and remembered, so a line costs no second serialization. (Event keys never collide with
 * type, seq or hash: the event schema is strict.)
 */
function committedLine(record: AuditRecord): string {
  const event = canonicalizeEvent(record.event);
  const head = `{"type":"audit","seq":${record.seq},"hash":${JSON.stringify(record.hash)}`;
  return event === "{}" ? `${head}}` : `${head},${event.slice(1)}`;
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const seal = createChainSealer({ keys: options.keys, currentKeyId: options.currentKeyId });
  let healthy = true;
  const pending = new Set<Promise<unknown>>();
  const writer = createAuditWriter({
    store: options.store,
    seal,
    ...(options.batchDelayMs === undefined ? {} : { batchDelayMs: options.batchDelayMs }),
    onCommitted: (records: readonly AuditRecord[]) => {
      if (options.writeLine) {
        for (const record of records) {
          options.writeLine(committedLine(record));
        }
      }
      options.onCommitted?.(records);
    },
  });

  const append = (event: AuditEvent, urgent: boolean): Promise<AuditRecord> => {
    const written = writer.append(event, { urgent }).then(
      (record) => {
        healthy = true;
        return record;
      },
      (error: unknown) => {
        healthy = false;
        // The event still reaches the log stream, marked unsealed, so nothing is silently lost.
        options.writeLine?.(JSON.stringify({ type: "audit", sealed: false, ...event }));
        throw error;
      },
    );
    pending.add(written);
    void written.then(
      () => pending.delete(written),
      () => pending.delete(written),
    );
    return written;
  };

  return {
    recordDurably: (event) => append(event, true),
    record(event) {
      append(event, false).catch((error: unknown) => options.logError("audit write failed", error));
    },
    isHealthy: () => healthy,
    async flush() {
      await Promise.allSettled([...pending]);
      await writer.flush();
    },
    async close() {
      await Promise.allSettled([...pending]);
      await writer.close();
    },
  };
}
