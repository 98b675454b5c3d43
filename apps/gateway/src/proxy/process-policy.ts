/**
 * What a process call may do beyond its route's own permission. The rack takes far more from `convox run` than a
 * command: ProcessRunOptions (convox pkg/structs) reads `Image`, `Volumes` (hostPath mounts), `Privileged` and
 * `Environment` from request headers, and a build pod (provider/k8s build.go) carries the rack's own password
 * (`RACK_URL`) and registry credentials (`BUILD_AUTH`) in its env. The headers still pass to the rack untouched;
 * this decides who may send them. Called by resolveRackCall once the route itself is authorized, so plain HTTP and
 * websocket calls share it.
 */
import type { IncomingHttpHeaders } from "node:http";
import {
  type AuthorizeOptions,
  authorize,
  type Permission,
  type Principal,
  type RouteMatch,
} from "@rack-gateway/rbac";
import { classifyEnvKey, type RedactionRules } from "@rack-gateway/redaction";
import { GatewayError } from "../http/errors.js";
import { type EnvChangeRefusal, envChangeRefusal, GO_TRIM_SPACE } from "./env-policy.js";
import { readsAsFalse } from "./parameter-policy.js";

/** A refusal (403) with why, for the audit log: which header or process, and which permission is missing. */
export type ProcessPolicyRefusal = EnvChangeRefusal;

export interface ProcessPolicyOptions {
  /** The gateway's rules: protected and secret env names. */
  readonly rules: RedactionRules;
  /** The options the route itself was authorized with (app, deploy approval). */
  readonly authorize: AuthorizeOptions;
}

const RUN_ROUTE = "POST /apps/{app}/services/{service}/processes";
/** Routes that run a command in, or read and write files of, the process named by `{pid}`. */
const INSIDE_PROCESS_ROUTES: ReadonlySet<string> = new Set([
  "SOCKET /apps/{app}/processes/{pid}/exec",
  "GET /apps/{app}/processes/{pid}/files",
  "POST /apps/{app}/processes/{pid}/files",
  "DELETE /apps/{app}/processes/{pid}/files",
]);
/** Root on a node: what a chosen image, host mounts, privilege or the rack's password amount to. Admins only. */
const NODE_ACCESS: Permission = "convox:instance:shell";
/** Run options that put a process outside its app's sandbox. */
const NODE_ACCESS_HEADERS = ["image", "volumes", "privileged"] as const;
const HEADER_NAMES: Readonly<Record<string, string>> = {
  image: "Image",
  volumes: "Volumes",
  privileged: "Privileged",
};
/** What a pod or service name may hold (RFC 1123 labels, as Kubernetes and convox.yml require). */
const PLAIN_PROCESS_NAME = /^[a-z0-9][a-z0-9.-]*$/;

/**
 * True when the rack may resolve `name` (a pid, or a run's service) to a build pod. ProcessExec takes a pid that
 * is no pod's name as a service name, "any pod of it", so `build` reaches a build pod as surely as `build-7f9c2`.
 * The service name goes into a label selector (`service=<pid>`), so a name that is not a plain pod or service name
 * (`=build`, ` build`, `build,x!=y`) could select one too: those need the same permission.
 */
export function reachesBuildPod(name: string): boolean {
  if (!PLAIN_PROCESS_NAME.test(name)) return true;
  return name === "build" || name.startsWith("build-");
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Form-style unescaping that never throws (`+` is a space, `%XX` one byte), like Go's QueryUnescape for ASCII. */
function unescapeForm(text: string): string {
  return text
    .replace(/\+/g, " ")
    .replace(/%([0-9a-f]{2})/gi, (_escape, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * Every key an `Environment` header could set, read liberally: the convox SDK sends url-encoded `K=V` pairs
 * joined by `&`, other writers use `,`, `;` or newlines. Each separator and both the raw and the unescaped text
 * are tried, keys trimmed the way the rack trims them (Go's TrimSpace), so whichever reading the rack makes, its
 * keys are among these.
 */
export function environmentHeaderKeys(value: string): string[] {
  const keys = new Set<string>();
  for (const text of new Set([value, unescapeForm(value)])) {
    for (const pair of text.split(/[,;&\r\n]/)) {
      const separator = pair.indexOf("=");
      const key = separator < 0 ? pair : pair.slice(0, separator);
      for (const reading of [key, unescapeForm(key)]) {
        const trimmed = reading.replace(GO_TRIM_SPACE, "");
        if (trimmed !== "") keys.add(trimmed);
      }
    }
  }
  return [...keys];
}

/**
 * Checks a process call against the policy: null when it may go on, else the refusal (403). On run: `Image`,
 * `Volumes` or `Privileged` need convox:instance:shell; `Environment` needs convox:env:set, convox:secret:set for
 * secret keys, and may never name a protected key. On run (service) and exec/files (pid): a name that reaches a
 * build pod needs convox:instance:shell.
 */
export function checkProcessPolicy(
  principal: Principal,
  match: RouteMatch,
  headers: IncomingHttpHeaders,
  options: ProcessPolicyOptions,
): ProcessPolicyRefusal | null {
  const route = `${match.route.method} ${match.route.path}`;
  const isRun = route === RUN_ROUTE;
  if (!isRun && !INSIDE_PROCESS_ROUTES.has(route)) return null;

  const require = (permission: Permission, what: string): ProcessPolicyRefusal | null => {
    const decision = authorize(principal, permission, options.authorize);
    if (decision.allowed) return null;
    const reason = `${what} needs ${permission}: ${decision.reason}`;
    return { error: new GatewayError(403, "FORBIDDEN", `forbidden: ${reason}`), reason };
  };

  const target = isRun ? match.params.service : match.params.pid;
  if (target !== undefined && reachesBuildPod(target)) {
    const refusal = require(NODE_ACCESS, `${isRun ? "service" : "process"} ${JSON.stringify(target)} may be a build pod, which holds the rack's credentials: it`);
    if (refusal) return refusal;
  }
  if (!isRun) return null;

  for (const name of NODE_ACCESS_HEADERS) {
    const value = headerText(headers, name);
    if (value === undefined) continue;
    if (name === "privileged" ? readsAsFalse(value) : value === "") continue;
    const refusal = require(NODE_ACCESS, `the ${HEADER_NAMES[name]} header of a run (it amounts to root on a node)`);
    if (refusal) return refusal;
  }

  const environment = headerText(headers, "environment");
  if (environment === undefined || environment === "") return null;
  const keys = environmentHeaderKeys(environment).map((key) => ({
    key,
    classification: classifyEnvKey(key, options.rules),
  }));
  // It overrides the app's env for that process: the same rules as changing the env itself.
  return envChangeRefusal(
    keys,
    (permission) => authorize(principal, permission, options.authorize),
    "the Environment header of a run",
  );
}
