/**
 * Rack answers that carry secrets, masked for whoever may not see them (CONVOX-API.md "Env values and secrets").
 * Release JSON carries the app's env (env-policy.ts). Resources and registries carry credentials of their own: a
 * database resource's `url` holds its password, a registry its password, a webhook's URL is itself the secret.
 * Those are masked unless the principal holds `convox:secret:read` where they live (admins); everyone else still
 * sees names, types, hosts and users.
 */
import type { JsonValue } from "@rack-gateway/audit-chain";
import { authorize, type Principal, type RouteMatch } from "@rack-gateway/rbac";
import { MASK, type RedactionRules, redact } from "@rack-gateway/redaction";
import { type EnvVisibility, maskReleasesJson } from "./env-policy.js";

/** Routes whose JSON carries Release objects with env (list, get, and create's answer). */
const RELEASE_ROUTES = new Set([
  "GET /apps/{app}/releases",
  "GET /apps/{app}/releases/{id}",
  "POST /apps/{app}/releases",
]);

/** Routes whose JSON carries resources or registries, with their credentials. */
const CREDENTIAL_ROUTES = new Set([
  "GET /apps/{app}/resources",
  "GET /apps/{app}/resources/{name}",
  "GET /resources",
  "GET /resources/{name}",
  "GET /registries",
]);

export interface ResponseMasking {
  /** What the audit event records about the masking. */
  readonly detail: Record<string, JsonValue>;
  mask(document: unknown): unknown;
}

/**
 * A webhook resource's URL is its credential (e.g. a Slack hook's path), and its parameters repeat it; other
 * credentials are found the way audit events find them (`redact`: URL user info, secret-named fields).
 */
function maskCredentials(document: unknown, rules: RedactionRules): unknown {
  const maskWebhook = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(maskWebhook);
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    if (object.type !== "webhook") return object;
    const parameters = object.parameters;
    return {
      ...object,
      ...(typeof object.url === "string" ? { url: MASK } : {}),
      ...(parameters !== null && typeof parameters === "object" && !Array.isArray(parameters)
        ? {
            parameters: Object.fromEntries(
              Object.entries(parameters).map(([key, item]) => [key, typeof item === "string" ? MASK : item]),
            ),
          }
        : {}),
    };
  };
  return redact(maskWebhook(document), rules);
}

/** True for the routes whose answer carries Release objects with env. */
export function isReleaseRoute(match: RouteMatch): boolean {
  return RELEASE_ROUTES.has(`${match.route.method} ${match.route.path}`);
}

/**
 * The masking an answer on this route needs for this principal, or null when it passes through as is. `visibility`
 * is the env visibility already decided for a release route (null elsewhere).
 */
export function responseMaskingFor(
  match: RouteMatch,
  principal: Principal,
  rules: RedactionRules,
  visibility: EnvVisibility | null,
): ResponseMasking | null {
  if (visibility !== null) {
    return {
      detail: { envVisibility: visibility },
      mask: (document) => maskReleasesJson(document, visibility, rules),
    };
  }
  const route = `${match.route.method} ${match.route.path}`;
  if (CREDENTIAL_ROUTES.has(route) && !mayReadSecrets(principal, match)) {
    return {
      detail: { masking: "resource and registry logins" },
      mask: (document) => maskCredentials(document, rules),
    };
  }
  return null;
}

function mayReadSecrets(principal: Principal, match: RouteMatch): boolean {
  return authorize(principal, "convox:secret:read", match.app === undefined ? {} : { app: match.app })
    .allowed;
}
