import type { PersonRole } from "./roles.js";
import type { Permission } from "./types.js";

/**
 * What a permission acts on. `app`: one app, named by `AuthorizeOptions.app` — the only kind an app-scoped
 * grant can cover. `rack`: the rack as a whole. `gateway`: the gateway's own data (users, tokens, audit…).
 */
export type PermissionScope = "app" | "rack" | "gateway";

/**
 * How a `cicd` token holds a permission: `always`; `deploy-approved` — only while it acts inside an approved
 * deploy request (`AuthorizeOptions.deployApproved`); `never`.
 */
export type CicdAccess = "always" | "deploy-approved" | "never";

/** One entry of the permission catalog. */
export interface PermissionInfo {
  readonly permission: Permission;
  readonly scope: PermissionScope;
  /**
   * The lowest person role holding it (every higher role holds it too). Null for `convox:rack:jwt`, which no
   * role holds unless `AuthorizeOptions.allowRackJwt` is set, and then only `admin`.
   */
  readonly minRole: PersonRole | null;
  readonly cicd: CicdAccess;
  /** One line for explain(), docs and the web UI. */
  readonly description: string;
}

function entry(
  permission: Permission,
  scope: PermissionScope,
  minRole: PersonRole | null,
  cicd: CicdAccess,
  description: string,
): PermissionInfo {
  return Object.freeze({ permission, scope, minRole, cicd, description });
}

/** Every permission a rack API route can require, plus the env/secret permissions the policy hooks check. */
export const CONVOX_PERMISSIONS: readonly PermissionInfo[] = Object.freeze([
  entry("convox:app:list", "rack", "viewer", "always", "List the rack's apps"),
  entry("convox:app:read", "app", "viewer", "always", "Read an app: status, services, metrics, cost, budget"),
  entry("convox:app:create", "rack", "admin", "never", "Create an app"),
  entry("convox:app:update", "app", "deployer", "never", "Change an app's parameters or cancel its update"),
  entry("convox:app:budget", "app", "admin", "never", "Set, reset or simulate an app's cost budget"),
  entry("convox:app:delete", "app", "admin", "never", "Delete an app and everything in it"),
  entry("convox:app:restart", "app", "ops", "never", "Restart an app's service"),
  entry("convox:app:scale", "app", "ops", "never", "Scale a service: count, overrides, autoscale triggers"),
  entry(
    "convox:log:read",
    "app",
    "viewer",
    "always",
    "Stream an app's, service's, process's or build's logs",
  ),
  entry("convox:build:list", "app", "viewer", "always", "List an app's builds"),
  entry("convox:build:read", "app", "viewer", "always", "Read one build"),
  entry("convox:build:export", "app", "deployer", "never", "Download a build as a tarball"),
  entry("convox:build:create", "app", "deployer", "deploy-approved", "Create, import or re-image a build"),
  entry("convox:build:update", "app", "deployer", "never", "Change a build's metadata"),
  entry("convox:release:list", "app", "viewer", "always", "List an app's releases (env values masked)"),
  entry("convox:release:read", "app", "viewer", "always", "Read one release (env values masked)"),
  entry(
    "convox:release:create",
    "app",
    "deployer",
    "deploy-approved",
    "Create a release (build or env change)",
  ),
  entry("convox:release:promote", "app", "deployer", "deploy-approved", "Promote a release: deploy it"),
  entry("convox:config:read", "app", "ops", "never", "Read an app's config files"),
  entry("convox:config:set", "app", "deployer", "never", "Write an app's config file"),
  entry("convox:process:list", "app", "viewer", "always", "List an app's processes"),
  entry("convox:process:read", "app", "viewer", "always", "Read one process"),
  entry("convox:process:start", "app", "ops", "deploy-approved", "Run a one-off process (convox run)"),
  entry("convox:process:terminate", "app", "ops", "never", "Stop a process"),
  entry(
    "convox:process:exec",
    "app",
    "ops",
    "never",
    "Execute a command in a process, or copy files in or out",
  ),
  entry(
    "convox:object:read",
    "app",
    "deployer",
    "never",
    "List, inspect or download an app's stored objects",
  ),
  entry("convox:object:create", "app", "deployer", "deploy-approved", "Upload an object (source tarball)"),
  entry("convox:object:delete", "app", "deployer", "never", "Delete a stored object"),
  entry("convox:resource:read", "app", "viewer", "always", "List or read an app's resources"),
  entry(
    "convox:resource:data",
    "app",
    "admin",
    "never",
    "Export, import or open a console on a resource's data",
  ),
  entry("convox:cert:apply", "app", "deployer", "never", "Apply a certificate to a service port"),
  entry("convox:cert:list", "rack", "viewer", "always", "List the rack's certificates"),
  entry("convox:cert:create", "rack", "admin", "never", "Upload or generate a certificate"),
  entry("convox:cert:renew", "rack", "admin", "never", "Renew a certificate"),
  entry("convox:cert:delete", "rack", "admin", "never", "Delete a certificate"),
  entry("convox:rack:read", "rack", "viewer", "always", "Read the rack: system, capacity, metrics, releases"),
  entry(
    "convox:rack:update",
    "rack",
    "admin",
    "never",
    "Change rack parameters, Let's Encrypt, node cleanup",
  ),
  entry("convox:rack:proxy", "rack", "admin", "never", "Open a network proxy through the rack"),
  entry("convox:rack:jwt", "rack", null, "never", "Mint or rotate rack credentials that bypass the gateway"),
  entry("convox:rack-log:read", "rack", "ops", "never", "Stream the rack's own logs"),
  entry("convox:instance:list", "rack", "viewer", "always", "List the rack's instances"),
  entry("convox:instance:keyroll", "rack", "admin", "never", "Roll the instances' SSH key"),
  entry("convox:instance:terminate", "rack", "admin", "never", "Terminate an instance"),
  entry("convox:instance:shell", "rack", "admin", "never", "Open a shell on an instance"),
  entry("convox:registry:list", "rack", "viewer", "always", "List the rack's registry credentials"),
  entry("convox:registry:add", "rack", "admin", "never", "Add registry credentials"),
  entry("convox:registry:remove", "rack", "admin", "never", "Remove registry credentials"),
  entry(
    "convox:registry:proxy",
    "rack",
    "deployer",
    "never",
    "Push or pull images through the rack's registry",
  ),
  entry("convox:rack-resource:read", "rack", "viewer", "always", "List or read rack-wide resources"),
  entry(
    "convox:rack-resource:manage",
    "rack",
    "admin",
    "never",
    "Create, change, delete or link rack resources",
  ),
  entry("convox:event:send", "rack", "deployer", "never", "Send a rack event"),
  entry(
    "convox:env:read",
    "app",
    "ops",
    "never",
    "See env values in releases (secret and protected keys stay masked)",
  ),
  entry("convox:env:set", "app", "deployer", "never", "Change env values in a new release"),
  entry("convox:secret:read", "app", "admin", "never", "Reveal secret env values (audited)"),
  entry("convox:secret:set", "app", "admin", "never", "Change secret env values"),
]);

/** The permissions of the gateway's own API (`/api/v1`). */
export const GATEWAY_PERMISSIONS: readonly PermissionInfo[] = Object.freeze([
  entry(
    "gateway:self:read",
    "gateway",
    "viewer",
    "always",
    "See who you are, your sessions, and rbac explain",
  ),
  entry("gateway:self:manage", "gateway", "viewer", "never", "Manage your own sessions and MFA methods"),
  entry("gateway:user:read", "gateway", "admin", "never", "List users and their roles"),
  entry("gateway:user:manage", "gateway", "admin", "never", "Add, change, lock or remove users"),
  entry("gateway:session:manage", "gateway", "admin", "never", "Revoke other people's sessions"),
  entry("gateway:token:read", "gateway", "admin", "never", "List API tokens"),
  entry("gateway:token:manage", "gateway", "admin", "never", "Create, rotate or revoke API tokens"),
  entry("gateway:audit:read", "gateway", "admin", "never", "Read and export the audit log"),
  entry("gateway:audit:verify", "gateway", "admin", "never", "Verify the audit chain and its anchors"),
  entry("gateway:settings:read", "gateway", "admin", "never", "Read gateway settings"),
  entry("gateway:settings:manage", "gateway", "admin", "never", "Change gateway settings"),
  entry(
    "gateway:incident:manage",
    "gateway",
    "admin",
    "never",
    "Declare incidents: lock down users or tokens",
  ),
  entry("gateway:deploy-request:create", "app", "deployer", "always", "Ask for a deploy of an app"),
  entry("gateway:deploy-request:read", "app", "viewer", "always", "See deploy requests for an app"),
  entry("gateway:deploy-request:approve", "app", "admin", "never", "Approve or reject a deploy request"),
]);

const catalog: ReadonlyMap<string, PermissionInfo> = new Map(
  [...CONVOX_PERMISSIONS, ...GATEWAY_PERMISSIONS].map((info) => [info.permission, info]),
);

/** True when `value` is a permission of the catalog (a well-formed but unknown string is not). */
export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && catalog.has(value);
}

/** The catalog entry of `permission`, or null when it is not in the catalog. */
export function getPermissionInfo(permission: string): PermissionInfo | null {
  return catalog.get(permission) ?? null;
}
