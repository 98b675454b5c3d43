/**
 * The audit event schema. An event says who did what, what the gateway decided and why, and how it ended.
 * Parameters and headers arrive here already redacted: this package never sees a secret.
 */
import { z } from "zod";
import { deepFreeze, isValidated as isValidatedEvent, rememberValidated } from "./validated-events.js";

/** Who acted. `user` carries the email; `token` the API token's id and name; `system` the gateway itself. */
export const auditActorSchema = z.strictObject({
  type: z.enum(["user", "token", "anonymous", "system"]),
  id: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  name: z.string().max(200).optional(),
  /** For a token: the user who created it (audit trail back to a person). */
  onBehalfOf: z.string().max(320).optional(),
});

export const auditDecisionSchema = z.enum(["allow", "deny", "error"]);

/** JSON-safe values only: canonical encoding must be total and stable. */
const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, "numbers must be finite"),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const auditEventSchema = z.strictObject({
  /** ISO-8601 UTC with milliseconds, e.g. 2026-11-22T08:00:00.000Z. */
  time: z.iso.datetime({ offset: false, precision: 3 }),
  requestId: z.string().min(1).max(200),
  actor: auditActorSchema,
  /** Stable dotted action name, e.g. `convox.request`, `convox.env.set`, `token.create`, `websocket.end`. */
  action: z.string().min(1).max(200),
  method: z.string().max(16).optional(),
  path: z.string().max(4096).optional(),
  permission: z.string().max(200).optional(),
  app: z.string().max(200).optional(),
  /** Already-redacted request parameters (query, form, option headers). */
  params: z.record(z.string(), jsonValue).optional(),
  decision: auditDecisionSchema,
  reason: z.string().max(2000),
  /** HTTP status returned to the client (or the websocket close/exit outcome mapped to one). */
  status: z.number().int().min(0).max(999).optional(),
  latencyMs: z.number().min(0).optional(),
  clientIp: z.string().max(100).optional(),
  userAgent: z.string().max(1000).optional(),
  /** Free-form, already-redacted detail (e.g. exit code and duration of a websocket session). */
  detail: z.record(z.string(), jsonValue).optional(),
});

export type AuditActor = z.infer<typeof auditActorSchema>;
export type AuditDecision = z.infer<typeof auditDecisionSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;

/**
 * Validates an event and returns a deep-frozen copy. Throws a `TypeError` naming the bad field: a malformed
 * event is a programming error in the caller, not an expected negative.
 *
 * The copy is remembered as validated, so sealing it later skips a second validation and its canonical text
 * is computed once (see validated-events.ts). Passing an already-returned event back returns it unchanged.
 */
export function parseAuditEvent(input: unknown): AuditEvent {
  if (typeof input === "object" && input !== null && isValidatedEvent(input)) return input as AuditEvent;
  const result = auditEventSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new TypeError(`invalid audit event at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const event = deepFreeze(result.data);
  rememberValidated(event);
  return event;
}
