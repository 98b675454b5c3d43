import { getPermissionInfo, type PermissionInfo } from "./permissions.js";
import { roleHolds } from "./role-permissions.js";
import { isRole } from "./roles.js";
import type { AuthorizeDecision, AuthorizeOptions, Grant, Permission, Principal } from "./types.js";

/** How one grant fared for one permission: what explain() prints per grant. */
export interface GrantVerdict {
  readonly grant: Grant;
  readonly applies: boolean;
  readonly reason: string;
}

/**
 * Decides whether `principal` may use `permission`. Grants are tried in the order the principal lists them
 * and the first that allows wins (it is the `grant` reported and audited); the outcome itself does not depend
 * on the order. A grant with `apps` covers only app-scoped permissions whose `options.app` it lists.
 * Denies a null or unknown permission, and `convox:rack:jwt` unless `options.allowRackJwt`.
 * Reasons are sentences for the audit log, e.g. "deployer grant (apps: web) does not cover app api".
 *
 * @example authorize(user, "convox:app:restart", { app: "web" })
 */
export function authorize(
  principal: Principal,
  permission: Permission | null,
  options: AuthorizeOptions = {},
): AuthorizeDecision {
  const checked = checkPermission(principal, permission, options);
  if ("denied" in checked) return checked.denied;
  const verdicts = checked.verdicts;
  const winner = verdicts.find((verdict) => verdict.applies);
  if (winner !== undefined) return { allowed: true, grant: winner.grant, reason: winner.reason };
  if (verdicts.length === 0) {
    return { allowed: false, reason: `${describePrincipal(principal)} holds no grants` };
  }
  return { allowed: false, reason: verdicts.map((verdict) => verdict.reason).join("; ") };
}

/** The verdict of every grant (for explain), or the denial that came before any grant was looked at. */
export function checkPermission(
  principal: Principal,
  permission: Permission | null,
  options: AuthorizeOptions,
):
  | { readonly verdicts: readonly GrantVerdict[] }
  | { readonly denied: AuthorizeDecision & { allowed: false } } {
  assertPrincipal(principal);
  if (permission === null) {
    return {
      denied: { allowed: false, reason: "no permission: the request matched no route the rack may serve" },
    };
  }
  const info = getPermissionInfo(permission);
  if (info === null) {
    return { denied: { allowed: false, reason: `unknown permission ${JSON.stringify(permission)}` } };
  }
  if (info.permission === "convox:rack:jwt" && options.allowRackJwt !== true) {
    return {
      denied: {
        allowed: false,
        reason:
          "convox:rack:jwt is disabled: it mints rack credentials that bypass the gateway " +
          "(an admin setting must allow it, and then only for admins)",
      },
    };
  }
  return { verdicts: principal.grants.map((grant) => judgeGrant(principal, grant, info, options)) };
}

/** Whether one grant covers `info` for `principal` under `options`, with the reason either way. */
export function judgeGrant(
  principal: Pick<Principal, "kind" | "name">,
  grant: Grant,
  info: PermissionInfo,
  options: AuthorizeOptions,
): GrantVerdict {
  const label = describeGrant(grant);
  const { permission } = info;
  const where = info.scope === "app" && options.app !== undefined ? ` on app ${options.app}` : "";
  if ("role" in grant) {
    if (!isRole(grant.role)) return deny(grant, `${label} names unknown role ${JSON.stringify(grant.role)}`);
    if (grant.role === "cicd" && principal.kind !== "token") {
      return deny(grant, `${label} applies to API tokens only, not to user ${principal.name}`);
    }
    if (!roleHolds(grant.role, info, options)) {
      if (grant.role === "cicd" && info.cicd === "deploy-approved") {
        return deny(grant, `role cicd needs an approved deploy request for ${permission}${where}`);
      }
      return deny(grant, `role ${grant.role} lacks ${permission}`);
    }
  } else {
    if (!Array.isArray(grant.permissions) || !grant.permissions.includes(permission)) {
      return deny(grant, `${label} does not include ${permission}`);
    }
    if (info.minRole === null) {
      return deny(grant, `${permission} cannot be granted explicitly; only the admin role holds it`);
    }
  }
  if (grant.apps !== undefined) {
    if (!Array.isArray(grant.apps)) return deny(grant, `${label} has a malformed app list`);
    if (info.scope !== "app") {
      return deny(grant, `${label} covers only app-scoped permissions, not ${info.scope}-wide ${permission}`);
    }
    if (options.app === undefined) return deny(grant, `${label} needs an app, and the request names none`);
    if (!grant.apps.includes(options.app)) return deny(grant, `${label} does not cover app ${options.app}`);
  }
  return { grant, applies: true, reason: `${label} allows ${permission}${where}` };
}

/** A grant as a short phrase: "deployer grant (apps: web)", "explicit grant [convox:app:read]". */
export function describeGrant(grant: Grant): string {
  const apps = Array.isArray(grant.apps) ? ` (apps: ${grant.apps.join(", ")})` : "";
  if ("role" in grant) return `${String(grant.role)} grant${apps}`;
  const permissions = Array.isArray(grant.permissions) ? grant.permissions.join(", ") : "?";
  return `explicit grant [${permissions}]${apps}`;
}

function describePrincipal(principal: Principal): string {
  return `${principal.kind} ${principal.name}`;
}

function deny(grant: Grant, reason: string): GrantVerdict {
  return { grant, applies: false, reason };
}

function assertPrincipal(principal: Principal): void {
  if (
    typeof principal !== "object" ||
    principal === null ||
    (principal.kind !== "user" && principal.kind !== "token") ||
    !Array.isArray(principal.grants) ||
    !principal.grants.every((grant) => typeof grant === "object" && grant !== null)
  ) {
    throw new TypeError("authorize: principal must be { kind: 'user' | 'token', id, name, grants: Grant[] }");
  }
}
