/** @module @rack-gateway/web — not built yet (see README.md) */
export const packageName = "@rack-gateway/web";
