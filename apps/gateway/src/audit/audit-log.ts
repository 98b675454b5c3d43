/**
 * The gateway's audit log: every event goes through one group-committing writer onto the hash chain in the
 * database, and — once committed — out to stdout as one JSON line for log shipping (CloudWatch, a SIEM).
 *
 * Fail closed: `recordDurably` resolves only once the event is committed; callers forward a mutating request
 * only after that. When a write fails, the log turns unhealthy and the proxy answers 503 until a write succeeds.
 *
 * An event is made sealable before it is queued: lone surrogates (client text) become U+FFFD, and an event that
 * still fails validation — a gateway bug, not a store failure — is recorded as an `audit.event.invalid` event
 * in its place, so it neither vanishes nor turns the log unhealthy.
 */
import {
  type AuditEvent,
  type AuditRecord,
  type AuditStore,
  AuditWriteError,
  auditActorSchema,
  auditEventSchema,
  canonicalizeEvent,
  createAuditWriter,
  createChainSealer,
  parseAuditEvent,
} from "@rack-gateway/audit-chain";
import { AuditHeadMissingError } from "../stores/errors.js";
import { clipAuditText, withWellFormedText } from "./audit-text.js";

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
  /** The clock for events recorded in place of invalid ones. Default: the system clock. */
  readonly now?: () => Date;
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

/** The action of the event recorded in place of one that fails validation. */
export const INVALID_EVENT_ACTION = "audit.event.invalid";

/** The validated event, or why it cannot be sealed (schema or canonical form). */
function validate(event: unknown): { readonly event: AuditEvent } | { readonly problem: string } {
  try {
    const parsed = parseAuditEvent(event);
    canonicalizeEvent(parsed);
    return { event: parsed };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

// Fields of a rejected event worth keeping in its replacement, each kept only if valid on its own.
const KEPT_FIELDS = ["method", "path", "permission", "app", "status", "clientIp", "userAgent"] as const;

/**
 * The event recorded in place of one that fails validation: who and which request (request id, actor, method,
 * path…) as far as those fields are valid, the original action in `detail`, and the validation problem.
 */
function replacementEvent(original: unknown, problem: string, now: Date): AuditEvent {
  const fields = withWellFormedText(
    typeof original === "object" && original !== null ? (original as Record<string, unknown>) : {},
  );
  const text = (value: unknown, maxLength: number) =>
    typeof value === "string" && value.length > 0 ? clipAuditText(value, maxLength) : null;
  const time = auditEventSchema.shape.time.safeParse(fields.time);
  const actor = auditActorSchema.safeParse(fields.actor);
  const replacement: Record<string, unknown> = {
    time: time.success ? time.data : now.toISOString(),
    requestId: text(fields.requestId, 200) ?? "unknown",
    actor: actor.success ? actor.data : { type: "system" },
    action: INVALID_EVENT_ACTION,
    decision: "error",
    reason: clipAuditText(
      `the gateway built an audit event that fails validation, recorded here in its place: ${problem}`,
      2000,
    ),
    detail: { action: text(fields.action, 200) },
  };
  for (const field of KEPT_FIELDS) {
    if (auditEventSchema.shape[field].safeParse(fields[field]).success && fields[field] !== undefined) {
      replacement[field] = fields[field];
    }
  }
  return parseAuditEvent(replacement);
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const now = options.now ?? (() => new Date());
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

  /**
   * The event as the chain can seal it. Lone surrogates come from client text (a JSON body, a header) or from
   * clipping: replaced by U+FFFD, the event is otherwise recorded as built. Anything else is a bug in the code
   * that built the event: reported, its text shipped unsealed, and a replacement sealed in its place.
   */
  const sealable = (event: AuditEvent): AuditEvent => {
    const checked = validate(event);
    if ("event" in checked) return checked.event;
    const repaired = validate(withWellFormedText(event));
    if ("event" in repaired) return repaired.event;
    options.logError(
      "audit event failed validation; recording audit.event.invalid in its place",
      new TypeError(checked.problem),
    );
    try {
      options.writeLine?.(JSON.stringify({ type: "audit", sealed: false, invalid: true, ...event }));
    } catch {
      // Not even JSON (a bigint, a cycle): the replacement event and the error log are what remains.
    }
    return replacementEvent(event, repaired.problem, now());
  };

  const append = (event: AuditEvent, urgent: boolean): Promise<AuditRecord> => {
    const written = writer.append(sealable(event), { urgent }).then(
      (record) => {
        healthy = true;
        return record;
      },
      (error: unknown) => {
        // Only the store failing makes the log unhealthy; every event reaching the writer is already valid.
        if (error instanceof AuditWriteError) healthy = false;
        if (error instanceof AuditWriteError && error.cause instanceof AuditHeadMissingError) {
          // Tampering, not an outage: say so every time, since every append is refused until a restart.
          options.logError("audit chain tail was cut in the database; refusing to append", error.cause);
        }
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
