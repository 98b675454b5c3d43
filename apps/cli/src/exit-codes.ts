/** Exit codes of `rack-gateway`, stable for scripts (documented in the README). */
export const EXIT = {
  OK: 0,
  /** Anything not listed below. */
  ERROR: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** Not signed in, session expired or revoked, token refused, account locked. */
  AUTH: 3,
  /** Signed in, but the gateway's RBAC (or an env policy) denied the action. */
  FORBIDDEN: 4,
  /** The app, release, process, user, token or session does not exist. */
  NOT_FOUND: 5,
  /** The gateway, the rack or the audit log is unreachable; nothing was changed. */
  UNAVAILABLE: 6,
  /** Too many failed attempts: wait and retry. */
  RATE_LIMITED: 7,
  /** The `convox` binary is not installed (the shell's "command not found" code). */
  CONVOX_MISSING: 127,
} as const;
