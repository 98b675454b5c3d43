/** @module @rack-gateway/audit-chain/testing — AuditStore conformance suite and test fixtures (needs vitest) */
export type { AuditStoreConformanceOptions, AuditStoreFixture } from "./conformance.js";
export { describeAuditStoreConformance } from "./conformance.js";
export type { TestChain, TestChainOptions } from "./make-test-event.js";
export { makeTestChain, makeTestEvent, TEST_CHAIN_KEY } from "./make-test-event.js";
