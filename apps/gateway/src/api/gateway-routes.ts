/**
 * Every endpoint the gateway serves itself (everything but the rack proxy), with the permission and MFA level
 * it needs, in the same table form as the Convox routes. One middleware (`http/route-guard.ts`) enforces it for
 * every request, so no endpoint is protected only by the UI; a handler the table does not list is unreachable.
 */
import { createRouteMatcher, defineRoutes } from "@rack-gateway/rbac";

export const GATEWAY_ROUTES = defineRoutes([
  // Health: no credentials, no detail (hardening guide).
  {
    method: "GET",
    path: "/api/v1/health",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "liveness",
  },
  {
    method: "GET",
    path: "/api/v1/health/ready",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "readiness: database and rack",
  },

  // Signing in (browser pages and the CLI's exchanges). Each step carries its own proof (state, PKCE, codes).
  {
    method: "GET",
    path: "/auth/login",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "start a browser sign-in",
  },
  {
    method: "GET",
    path: "/auth/callback",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "the identity provider's redirect back",
  },
  {
    method: "GET",
    path: "/auth/cli/start",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "start a CLI loopback sign-in (RFC 8252)",
  },
  {
    method: "GET",
    path: "/auth/done",
    permission: null,
    answer: "public",
    mfa: "none",
    description: '"return to your terminal" page',
  },
  {
    method: "POST",
    path: "/api/v1/auth/cli/token",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "exchange a loopback code + PKCE verifier for a CLI session",
  },
  {
    method: "POST",
    path: "/api/v1/auth/device",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "start a device-code sign-in (RFC 8628)",
  },
  {
    method: "POST",
    path: "/api/v1/auth/device/token",
    permission: null,
    answer: "public",
    mfa: "none",
    description: "poll a device-code sign-in",
  },
  {
    method: "GET",
    path: "/auth/device",
    permission: "gateway:self:manage",
    mfa: "none",
    description: "enter and approve a device code",
  },
  {
    method: "POST",
    path: "/auth/device",
    permission: "gateway:self:manage",
    mfa: "none",
    description: "approve or deny a device code",
  },
  {
    method: "POST",
    path: "/auth/logout",
    permission: "gateway:self:read",
    mfa: "none",
    description: "end this session",
  },

  // Oneself.
  {
    method: "GET",
    path: "/api/v1/me",
    permission: "gateway:self:read",
    mfa: "none",
    description: "who am I: user or token, grants, session expiry",
  },
  {
    method: "GET",
    path: "/api/v1/me/sessions",
    permission: "gateway:self:read",
    mfa: "none",
    description: "my sessions",
  },
  {
    method: "DELETE",
    path: "/api/v1/me/sessions/{session}",
    permission: "gateway:self:manage",
    mfa: "none",
    description: "revoke one of my sessions",
  },
  {
    method: "POST",
    path: "/api/v1/rbac/explain",
    permission: "gateway:self:read",
    mfa: "none",
    description: "explain an authorization decision",
  },

  // People (admin).
  {
    method: "GET",
    path: "/api/v1/users",
    permission: "gateway:user:read",
    mfa: "none",
    description: "list users",
  },
  {
    method: "POST",
    path: "/api/v1/users",
    permission: "gateway:user:manage",
    mfa: "step-up",
    description: "add a user",
  },
  {
    method: "GET",
    path: "/api/v1/users/{user}",
    permission: "gateway:user:read",
    mfa: "none",
    description: "one user",
  },
  {
    method: "PUT",
    path: "/api/v1/users/{user}/roles",
    permission: "gateway:user:manage",
    mfa: "step-up",
    description: "replace a user's role grants",
  },
  {
    method: "POST",
    path: "/api/v1/users/{user}/lock",
    permission: "gateway:user:manage",
    mfa: "step-up",
    description: "lock a user (revokes every session)",
  },
  {
    method: "POST",
    path: "/api/v1/users/{user}/unlock",
    permission: "gateway:user:manage",
    mfa: "step-up",
    description: "unlock a user",
  },
  {
    method: "DELETE",
    path: "/api/v1/users/{user}",
    permission: "gateway:user:manage",
    mfa: "step-up",
    description: "delete a user",
  },
  {
    method: "GET",
    path: "/api/v1/users/{user}/sessions",
    permission: "gateway:user:read",
    mfa: "none",
    description: "a user's sessions",
  },
  {
    method: "DELETE",
    path: "/api/v1/users/{user}/sessions/{session}",
    permission: "gateway:session:manage",
    mfa: "step-up",
    description: "revoke a user's session",
  },
  {
    method: "DELETE",
    path: "/api/v1/users/{user}/sessions",
    permission: "gateway:session:manage",
    mfa: "step-up",
    description: "revoke all of a user's sessions",
  },

  // Incident switches (hardening guide: revoke all sessions; lock all non-admin accounts).
  {
    method: "POST",
    path: "/api/v1/incident/revoke-all-sessions",
    permission: "gateway:incident:manage",
    mfa: "always",
    description: "revoke every session",
  },
  {
    method: "POST",
    path: "/api/v1/incident/lock-non-admins",
    permission: "gateway:incident:manage",
    mfa: "always",
    description: "lock every non-admin account",
  },

  // API tokens.
  {
    method: "GET",
    path: "/api/v1/tokens",
    permission: "gateway:token:read",
    mfa: "none",
    description: "list API tokens",
  },
  {
    method: "POST",
    path: "/api/v1/tokens",
    permission: "gateway:token:manage",
    mfa: "step-up",
    description: "create an API token (shown once)",
  },
  {
    method: "DELETE",
    path: "/api/v1/tokens/{token}",
    permission: "gateway:token:manage",
    mfa: "step-up",
    description: "revoke an API token",
  },

  // Audit log.
  {
    method: "GET",
    path: "/api/v1/audit/events",
    permission: "gateway:audit:read",
    mfa: "none",
    description: "page through audit events",
  },
  {
    method: "POST",
    path: "/api/v1/audit/verify",
    permission: "gateway:audit:verify",
    mfa: "none",
    description: "verify the audit chain and checkpoints",
  },

  // Runtime settings.
  {
    method: "GET",
    path: "/api/v1/settings",
    permission: "gateway:settings:read",
    mfa: "none",
    description: "settings and where each value comes from",
  },
  {
    method: "PUT",
    path: "/api/v1/settings/{key}",
    permission: "gateway:settings:manage",
    mfa: "step-up",
    description: "change a setting",
  },
  {
    method: "DELETE",
    path: "/api/v1/settings/{key}",
    permission: "gateway:settings:manage",
    mfa: "step-up",
    description: "reset a setting to env/default",
  },
]);

export const matchGatewayRoute = createRouteMatcher(GATEWAY_ROUTES);
