import { createRouteMatcher, defineRoutes, type RouteMatcher } from "./route-table.js";
import type { MfaLevel, Permission, RouteDefinition } from "./types.js";

function route(
  method: string,
  path: string,
  permission: Permission,
  mfa: MfaLevel,
  description: string,
): RouteDefinition {
  return { method, path, permission, mfa, description };
}

/**
 * Every route of the Convox rack API (see CONVOX-API.md), with the permission and MFA level the gateway
 * requires. Anything not in this table is denied. `GET /check`, `/auth`, `/machines` and `/racks` carry
 * `permission: null` and are answered by the gateway itself.
 */
export const CONVOX_ROUTES: readonly RouteDefinition[] = defineRoutes([
  // Answered by the gateway: health, `convox login`, and the CLI's probe before every websocket.
  {
    method: "GET",
    path: "/check",
    permission: null,
    mfa: "none",
    answer: "check",
    description: "Health: ok",
  },
  {
    method: "GET",
    path: "/auth",
    permission: null,
    mfa: "none",
    answer: "auth",
    description: "Credential check",
  },
  {
    method: "GET",
    path: "/machines",
    permission: null,
    mfa: "none",
    answer: "probe",
    description: "CLI probe (404)",
  },
  {
    method: "GET",
    path: "/racks",
    permission: null,
    mfa: "none",
    answer: "probe",
    description: "CLI probe (404)",
  },

  // Apps
  route("GET", "/apps", "convox:app:list", "none", "List apps"),
  route("GET", "/apps/{app}", "convox:app:read", "none", "Get an app"),
  route("GET", "/apps/{app}/diagnose", "convox:app:read", "none", "Diagnose an app"),
  route("GET", "/apps/{app}/metrics", "convox:app:read", "none", "App metrics"),
  route("GET", "/apps/{app}/metrics-by-service", "convox:app:read", "none", "App metrics by service"),
  route("GET", "/apps/{app}/manifest/services/{service}", "convox:app:read", "none", "A service's manifest"),
  route("GET", "/apps/{app}/cost", "convox:app:read", "none", "App cost"),
  route("GET", "/apps/{app}/balancers", "convox:app:read", "none", "App load balancers"),
  route("GET", "/apps/{app}/budget", "convox:app:read", "none", "App budget"),
  route("GET", "/apps/{app}/budget/shutdown-state", "convox:app:read", "none", "Budget shutdown state"),
  route("POST", "/apps", "convox:app:create", "step-up", "Create an app"),
  route("PUT", "/apps/{app}", "convox:app:update", "step-up", "Update app parameters"),
  route("POST", "/apps/{app}/cancel", "convox:app:update", "step-up", "Cancel an app update"),
  route("POST", "/apps/{app}/budget", "convox:app:budget", "step-up", "Set the app budget"),
  route("DELETE", "/apps/{app}/budget", "convox:app:budget", "step-up", "Remove the app budget"),
  route("POST", "/apps/{app}/budget/reset", "convox:app:budget", "step-up", "Reset the app budget"),
  route(
    "POST",
    "/apps/{app}/budget/simulate-shutdown",
    "convox:app:budget",
    "step-up",
    "Simulate budget shutdown",
  ),
  route(
    "POST",
    "/apps/{app}/budget/dismiss-recovery",
    "convox:app:budget",
    "step-up",
    "Dismiss budget recovery",
  ),
  route("DELETE", "/apps/{app}", "convox:app:delete", "always", "Delete an app"),

  // Logs (websockets)
  route("SOCKET", "/apps/{app}/logs", "convox:log:read", "none", "App logs"),
  route("SOCKET", "/apps/{app}/services/{service}/logs", "convox:log:read", "none", "Service logs"),
  route("SOCKET", "/apps/{app}/processes/{pid}/logs", "convox:log:read", "none", "Process logs"),
  route("SOCKET", "/apps/{app}/builds/{id}/logs", "convox:log:read", "none", "Build logs"),

  // Builds
  route("GET", "/apps/{app}/builds", "convox:build:list", "none", "List builds"),
  route("GET", "/apps/{app}/builds/{id}", "convox:build:read", "none", "Get a build"),
  route("GET", "/apps/{app}/builds/{id}.tgz", "convox:build:export", "step-up", "Export a build"),
  route("POST", "/apps/{app}/builds", "convox:build:create", "step-up", "Create a build"),
  route("POST", "/apps/{app}/builds/import", "convox:build:create", "step-up", "Import a build"),
  route("POST", "/apps/{app}/builds/{id}/image", "convox:build:create", "step-up", "Load a build image"),
  route("PUT", "/apps/{app}/builds/{id}", "convox:build:update", "step-up", "Update a build"),

  // Releases (env inside is masked by the gateway's policy)
  route("GET", "/apps/{app}/releases", "convox:release:list", "none", "List releases"),
  route("GET", "/apps/{app}/releases/{id}", "convox:release:read", "none", "Get a release"),
  route("POST", "/apps/{app}/releases", "convox:release:create", "step-up", "Create a release"),
  route(
    "POST",
    "/apps/{app}/releases/{id}/promote",
    "convox:release:promote",
    "step-up",
    "Promote a release",
  ),

  // Configs
  route("GET", "/apps/{app}/configs", "convox:config:read", "none", "List config files"),
  route("GET", "/apps/{app}/configs/{name}", "convox:config:read", "none", "Get a config file"),
  route("PUT", "/apps/{app}/configs/{name}", "convox:config:set", "step-up", "Set a config file"),

  // Processes
  route("GET", "/apps/{app}/processes", "convox:process:list", "none", "List processes"),
  route("GET", "/apps/{app}/processes/{pid}", "convox:process:read", "none", "Get a process"),
  route(
    "POST",
    "/apps/{app}/services/{service}/processes",
    "convox:process:start",
    "step-up",
    "Run a process",
  ),
  route("DELETE", "/apps/{app}/processes/{pid}", "convox:process:terminate", "step-up", "Stop a process"),
  route("SOCKET", "/apps/{app}/processes/{pid}/exec", "convox:process:exec", "step-up", "Exec in a process"),
  route("GET", "/apps/{app}/processes/{pid}/files", "convox:process:exec", "step-up", "Copy files out"),
  route("POST", "/apps/{app}/processes/{pid}/files", "convox:process:exec", "step-up", "Copy files in"),
  route("DELETE", "/apps/{app}/processes/{pid}/files", "convox:process:exec", "step-up", "Remove files"),

  // Services
  route("GET", "/apps/{app}/services", "convox:app:read", "none", "List services"),
  route("GET", "/apps/{app}/services/{service}/metrics", "convox:app:read", "none", "Service metrics"),
  route(
    "POST",
    "/apps/{app}/services/{service}/restart",
    "convox:app:restart",
    "step-up",
    "Restart a service",
  ),
  route("PUT", "/apps/{app}/services/{service}", "convox:app:scale", "step-up", "Scale a service"),
  route(
    "POST",
    "/apps/{app}/services/{service}/scale-override",
    "convox:app:scale",
    "step-up",
    "Override scale",
  ),
  route(
    "POST",
    "/apps/{app}/services/{service}/triggers/enable",
    "convox:app:scale",
    "step-up",
    "Enable triggers",
  ),
  route(
    "POST",
    "/apps/{app}/services/{service}/triggers/disable",
    "convox:app:scale",
    "step-up",
    "Disable triggers",
  ),
  route(
    "POST",
    "/apps/{app}/services/{service}/triggers/threshold",
    "convox:app:scale",
    "step-up",
    "Set threshold",
  ),

  // Objects (keys span segments: tmp/<hex>.tgz)
  route("GET", "/apps/{app}/objects", "convox:object:read", "none", "List objects"),
  route("HEAD", "/apps/{app}/objects/{key*}", "convox:object:read", "none", "Check an object exists"),
  route("GET", "/apps/{app}/objects/{key*}", "convox:object:read", "none", "Download an object"),
  route("POST", "/apps/{app}/objects/{key*}", "convox:object:create", "none", "Upload an object"),
  route("DELETE", "/apps/{app}/objects/{key*}", "convox:object:delete", "step-up", "Delete an object"),

  // App resources
  route("GET", "/apps/{app}/resources", "convox:resource:read", "none", "List app resources"),
  route("GET", "/apps/{app}/resources/{name}", "convox:resource:read", "none", "Get an app resource"),
  route("GET", "/apps/{app}/resources/{name}/data", "convox:resource:data", "always", "Export resource data"),
  route("PUT", "/apps/{app}/resources/{name}/data", "convox:resource:data", "always", "Import resource data"),
  route(
    "SOCKET",
    "/apps/{app}/resources/{name}/console",
    "convox:resource:data",
    "always",
    "Resource console",
  ),

  // Certificates
  route("PUT", "/apps/{app}/ssl/{service}/{port}", "convox:cert:apply", "step-up", "Apply a certificate"),
  route("GET", "/certificates", "convox:cert:list", "none", "List certificates"),
  route("POST", "/certificates", "convox:cert:create", "step-up", "Upload a certificate"),
  route("POST", "/certificates/generate", "convox:cert:create", "step-up", "Generate a certificate"),
  route("POST", "/certificates/{id}/renew", "convox:cert:renew", "step-up", "Renew a certificate"),
  route("DELETE", "/certificates/{id}", "convox:cert:delete", "always", "Delete a certificate"),
  route("GET", "/letsencrypt/config", "convox:rack:read", "none", "Get Let's Encrypt config"),
  route("PUT", "/letsencrypt/config", "convox:rack:update", "always", "Set Let's Encrypt config"),

  // Instances
  route("GET", "/instances", "convox:instance:list", "none", "List instances"),
  route("POST", "/instances/keyroll", "convox:instance:keyroll", "always", "Roll instance keys"),
  route("DELETE", "/instances/{id}", "convox:instance:terminate", "always", "Terminate an instance"),
  route("SOCKET", "/instances/{id}/shell", "convox:instance:shell", "always", "Instance shell"),

  // Registries, and the registry proxy (docker's first call is GET /v2/)
  route("GET", "/registries", "convox:registry:list", "none", "List registries"),
  route("POST", "/registries", "convox:registry:add", "step-up", "Add a registry"),
  route("DELETE", "/registries/{server}", "convox:registry:remove", "step-up", "Remove a registry"),
  route("ANY", "/v2", "convox:registry:proxy", "step-up", "Registry API version check"),
  route("ANY", "/v2/{path*}", "convox:registry:proxy", "step-up", "Registry proxy"),

  // System
  route("GET", "/system", "convox:rack:read", "none", "Get the rack"),
  route("GET", "/system/capacity", "convox:rack:read", "none", "Rack capacity"),
  route("GET", "/system/metrics", "convox:rack:read", "none", "Rack metrics"),
  route("GET", "/system/processes", "convox:rack:read", "none", "Rack processes"),
  route("GET", "/system/releases", "convox:rack:read", "none", "Rack releases"),
  route("SOCKET", "/system/logs", "convox:rack-log:read", "none", "Rack logs"),
  route("PUT", "/system", "convox:rack:update", "always", "Update the rack"),
  route("POST", "/system/karpenter/cleanup", "convox:rack:update", "always", "Clean up Karpenter nodes"),
  route("POST", "/system/jwt/token", "convox:rack:jwt", "always", "Mint a rack JWT (bypasses the gateway)"),
  route("PUT", "/system/jwt/rotate", "convox:rack:jwt", "always", "Rotate the rack JWT key"),

  // Rack resources
  route("GET", "/resources", "convox:rack-resource:read", "none", "List rack resources"),
  route("GET", "/resources/{name}", "convox:rack-resource:read", "none", "Get a rack resource"),
  route("OPTIONS", "/resources", "convox:rack-resource:read", "none", "Rack resource types"),
  route("POST", "/resources", "convox:rack-resource:manage", "always", "Create a rack resource"),
  route("PUT", "/resources/{name}", "convox:rack-resource:manage", "always", "Update a rack resource"),
  route("DELETE", "/resources/{name}", "convox:rack-resource:manage", "always", "Delete a rack resource"),
  route(
    "POST",
    "/resources/{name}/links",
    "convox:rack-resource:manage",
    "always",
    "Link a resource to an app",
  ),
  route(
    "DELETE",
    "/resources/{name}/links/{app}",
    "convox:rack-resource:manage",
    "always",
    "Unlink a resource",
  ),

  // Events and proxies
  route("POST", "/events", "convox:event:send", "none", "Send an event"),
  route("SOCKET", "/proxy/{host}/{port}", "convox:rack:proxy", "always", "TCP proxy into the rack"),
  route("ANY", "/custom/http/proxy/{path*}", "convox:rack:proxy", "always", "HTTP proxy into the rack"),
]);

/** Matches a request against `CONVOX_ROUTES`: `matchConvoxRoute("GET", "/apps/web?")`. */
export const matchConvoxRoute: RouteMatcher = createRouteMatcher(CONVOX_ROUTES);
