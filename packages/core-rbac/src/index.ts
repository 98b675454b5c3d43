/** @module @rack-gateway/rbac — roles, permissions, route tables, authorize() and explain() */
export type {
  AuthorizeDecision,
  AuthorizeOptions,
  GatewayAnswer,
  Grant,
  MfaLevel,
  Permission,
  Principal,
  Role,
  RouteDefinition,
  RouteMatch,
} from "./types.js";
