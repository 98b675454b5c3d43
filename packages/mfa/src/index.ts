/** @module @rack-gateway/mfa — not built yet (see README.md) */
export const packageName = "@rack-gateway/mfa";
