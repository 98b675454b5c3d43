/**
 * Parameters the gateway checks, not just forwards. Most rack routes are decided by their method and path alone; a
 * few take parameters that change what the call reaches: a release's `env` (the env policy, env-policy.ts), and the
 * `object://{app}/…` URLs builds read their source and logs from, which name an app of their own.
 *
 * The rack takes its parameters from the query string and from urlencoded *or multipart* bodies alike; the gateway
 * inspects urlencoded bodies only, so on these routes it refuses the other two instead of forwarding what it did not
 * check.
 */
import type { IncomingMessage } from "node:http";
import { authorize, type Principal, type RouteMatch } from "@rack-gateway/rbac";
import { GatewayError } from "../http/errors.js";

/** `METHOD /route/{pattern}` of the routes whose parameters are checked. */
export const INSPECTED_ROUTES: ReadonlySet<string> = new Set([
  "POST /apps/{app}/releases",
  "POST /apps/{app}/builds",
  "PUT /apps/{app}/builds/{id}",
]);

/** True when the client declared a body: Node's parser accepts exactly one of Content-Length and chunked. */
function declaresBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  return Number(req.headers["content-length"] ?? 0) > 0;
}

/** On an inspected route: no parameters in the query string, and no body but a urlencoded form. */
export function assertInspectableParameters(
  req: IncomingMessage,
  route: string,
  query: string,
  contentType: string | undefined,
): void {
  if (new URLSearchParams(query).size > 0) {
    throw new GatewayError(
      400,
      "BAD_REQUEST",
      `${route} takes its parameters in a form body, not in the query string`,
    );
  }
  if (contentType !== "application/x-www-form-urlencoded" && declaresBody(req)) {
    throw new GatewayError(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      `${route} accepts only an application/x-www-form-urlencoded body`,
    );
  }
}

/** Go's `strconv.ParseBool` false spellings: anything else the rack reads as true, or refuses. */
const GO_FALSE = new Set(["", "0", "f", "F", "false", "FALSE", "False"]);

/** True when the rack reads `value` as false (an empty option is unset); anything else counts as asking for it. */
export function readsAsFalse(value: string): boolean {
  return GO_FALSE.has(value);
}

/**
 * The build routes' parameters:
 * - every `object:` URL (a build's source `url`, an update's `logs`, …) must name the app being built: the rack
 *   fetches it from the app the URL names, so an app-scoped deployer could otherwise read another app's uploads
 *   back through their own. Go lower-cases the scheme, so any spelling of `object:` counts.
 * - `external=true` makes the rack answer with a registry URL that carries the rack's own password — a credential
 *   that bypasses the gateway, like `POST /system/jwt/token`, so it is refused to everyone.
 */
export function assertBuildParameters(form: URLSearchParams | null, app: string | undefined): void {
  if (!form) return;
  for (const value of form.getAll("external")) {
    if (!readsAsFalse(value)) {
      throw new GatewayError(
        403,
        "FORBIDDEN",
        "forbidden: external builds answer with the rack's own credentials, which the gateway never hands out",
      );
    }
  }
  // An app name is letters, digits and dashes; anything else (`@`, `:`) could move where Go's parser puts the host.
  const ownApp = app !== undefined && /^[a-z0-9][a-z0-9-]*$/i.test(app);
  for (const [name, value] of form) {
    const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
    if (scheme !== "object") continue;
    const rest = value.slice("object:".length);
    // The key after the app must not climb out of it: no dot segments, and no escapes or backslashes that Go or the
    // rack's storage could turn into them.
    const key = rest.slice(`//${app}/`.length);
    const climbs = /(^|\/)\.{1,2}(\/|$)/.test(key) || /[%\\]/.test(key);
    if (!ownApp || !rest.startsWith(`//${app}/`) || climbs) {
      throw new GatewayError(
        403,
        "FORBIDDEN",
        `forbidden: a build's ${name} object must belong to the app being built`,
      );
    }
  }
}

/**
 * `POST /apps/{app}/builds/import` takes a build tarball whose `build.json` names the build's logs object, which
 * may belong to any app; the gateway does not unpack it, so only a principal allowed to create builds in every app
 * may import one.
 */
export function assertImportAllowed(principal: Principal, match: RouteMatch): void {
  if (match.route.path !== "/apps/{app}/builds/import" || !match.permission) return;
  const decision = authorize(principal, match.permission, {});
  if (!decision.allowed) {
    throw new GatewayError(
      403,
      "FORBIDDEN",
      `forbidden: importing a build needs ${match.permission} for every app (a build archive can name another app's objects)`,
    );
  }
}
