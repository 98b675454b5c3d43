/** The audit log as the admin API uses it: a change whose audit record cannot be committed answers 503. */
import type { AuditLog } from "../audit/audit-log.js";
import { GatewayError } from "../http/errors.js";

/**
 * Wraps `audit` so that a failed `recordDurably` becomes 503 AUDIT_UNAVAILABLE instead of a bare 500. The change
 * itself is already made by then; the log stream still carries the event, marked unsealed (audit-log.ts).
 */
export function durableAudit(audit: AuditLog): AuditLog {
  return {
    ...audit,
    async recordDurably(event) {
      try {
        return await audit.recordDurably(event);
      } catch (error) {
        throw new GatewayError(
          503,
          "AUDIT_UNAVAILABLE",
          "the change was made but its audit record could not be committed (it went to the log stream " +
            "unsealed): check the database, then run an audit verify",
          { cause: error },
        );
      }
    },
  };
}
