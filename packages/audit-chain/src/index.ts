/** @module @rack-gateway/audit-chain — tamper-evident audit log core */
export type { AuditActor, AuditDecision, AuditEvent, JsonValue } from "./event.js";
export { auditActorSchema, auditDecisionSchema, auditEventSchema, parseAuditEvent } from "./event.js";
export type {
  AuditRecord,
  AuditStore,
  ChainHead,
  ListAuditRecordsOptions,
  SealFunction,
  SignedCheckpoint,
} from "./store.js";
