/** @module @rack-gateway/oauth — not built yet (see README.md) */
export const packageName = "@rack-gateway/oauth";
