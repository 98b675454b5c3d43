/** Named errors the stores throw, and the checks that tell a bad id or a PostgreSQL error on either driver. */

/** `users.create` was given an email that already belongs to a user (compared case-insensitively). */
export class DuplicateUserError extends Error {
  override readonly name = "DuplicateUserError";
  /** The email as given to `create`. */
  readonly email: string;

  constructor(email: string, options?: { cause?: unknown }) {
    super(
      `a user with the email ${email} already exists (emails are compared case-insensitively); ` +
        "find it with users.findByEmail and change it instead",
      options,
    );
    this.email = email;
  }
}

/**
 * The audit chain fell behind a head this process had already seen: records at or below it were deleted or
 * changed in the database (a truncated tail), or a backup was restored under a running gateway. Appending would
 * make the cut seamless, so the store refuses until the gateway is restarted by an operator who has looked.
 */
export class AuditHeadMissingError extends Error {
  override readonly name = "AuditHeadMissingError";
  /** The newest head this process committed or read. */
  readonly seen: { readonly seq: number; readonly hash: string };
  /** The head the database holds now (null: the chain is empty). */
  readonly found: { readonly seq: number; readonly hash: string } | null;

  constructor(seen: AuditHeadMissingError["seen"], found: AuditHeadMissingError["found"]) {
    super(
      `the audit chain no longer holds record ${seen.seq} (hash ${seen.hash}) that this gateway already saw; ` +
        `the database's head is now ${found === null ? "empty" : `seq ${found.seq}`}: the newest records were ` +
        "deleted or changed. Refusing to append onto it. Run `rack-gateway-server audit verify --expect-head " +
        `${seen.seq}:${seen.hash}\`, then restart the gateway once you have looked (see docs/audit-log.md)`,
    );
    this.seen = seen;
    this.found = found;
  }
}

// drizzle wraps driver errors (DrizzleQueryError); postgres.js and PGlite both put the SQLSTATE in `code`.
export function hasSqlState(error: unknown, sqlState: string): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === sqlState) return true;
    current = current.cause;
  }
  return false;
}

/** SQLSTATE unique_violation. */
export const UNIQUE_VIOLATION = "23505";

// An id that is not a UUID can name no row; PostgreSQL would reject it with an error instead.
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID_PATTERN.test(id);
}
