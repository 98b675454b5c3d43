/** @module @rack-gateway/rbac — roles, permissions, route tables, authorize() and explain() */
export type { GrantVerdict } from "./authorize.js";
export { authorize, describeGrant } from "./authorize.js";
export { CONVOX_ROUTES, matchConvoxRoute } from "./convox-routes.js";
export type { ExplainOptions, Explanation } from "./explain.js";
export { explain, explainDecision, formatExplanation } from "./explain.js";
export type { GrantsWithinOptions, ValidateGrantsOptions } from "./grants.js";
export { grantsWithin, validateGrants } from "./grants.js";
export type { CicdAccess, PermissionInfo, PermissionScope } from "./permissions.js";
export { CONVOX_PERMISSIONS, GATEWAY_PERMISSIONS, getPermissionInfo, isPermission } from "./permissions.js";
export type { NormalizedPath } from "./request-path.js";
export { MAX_PATH_LENGTH, MAX_PATH_SEGMENTS, normalizeRequestPath } from "./request-path.js";
export type { RoleOptions } from "./role-permissions.js";
export { permissionsOfRole, roleIncludes } from "./role-permissions.js";
export type { PersonRole } from "./roles.js";
export { isPersonRole, isRole, PERSON_ROLES, ROLES, roleRank } from "./roles.js";
export type { RouteMatcher } from "./route-table.js";
export { createRouteMatcher, defineRoutes } from "./route-table.js";
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
