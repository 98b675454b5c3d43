/** @module @rack-gateway/cli — not built yet (see README.md) */
export const packageName = "@rack-gateway/cli";
