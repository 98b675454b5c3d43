import { isPermission } from "./permissions.js";
import { normalizeRequestPath } from "./request-path.js";
import type { RouteDefinition, RouteMatch } from "./types.js";

/** Matches a request (method, raw request target) against a route table; null when no route matches. */
export type RouteMatcher = (method: string, rawPath: string) => RouteMatch | null;

const TABLE_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "ANY", "SOCKET"]);
const MFA_LEVELS = new Set(["none", "step-up", "always"]);
const ANSWERS = new Set(["check", "auth", "probe", "public"]);
const LITERAL = /^[A-Za-z0-9\-._~]+$/;
const PARAM = /^\{([a-z][A-Za-z0-9]*)(\*?)\}([A-Za-z0-9\-._~]*)$/;
const REQUEST_METHOD = /^[A-Z]+$/;

type PatternSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "param"; readonly name: string; readonly suffix: string }
  | { readonly kind: "rest"; readonly name: string };

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: readonly PatternSegment[];
}

/**
 * Validates a route table and returns it frozen. Throws a TypeError naming the row on: a bad method, MFA
 * level or pattern (`{name}` is one segment, `{name}.ext` one segment with a literal suffix, a final
 * `{name*}` one or more remaining segments), a permission not in the catalog, a null permission without
 * `answer` (or the reverse), or two rows with the same method and path shape.
 */
export function defineRoutes(rows: readonly RouteDefinition[]): readonly RouteDefinition[] {
  if (!Array.isArray(rows)) {
    throw new TypeError("defineRoutes: expected an array of route rows ({ method, path, permission, mfa })");
  }
  const frozen = Object.freeze(rows.map((row) => Object.freeze({ ...row })));
  compileTable(frozen);
  return frozen;
}

/**
 * Builds a matcher for a table (validated as by `defineRoutes`). The matcher normalises the raw path
 * (see `normalizeRequestPath`), compares the method case-insensitively (`ANY` rows match every method but
 * `SOCKET`), and picks the most specific row: per segment, literal before `{name}.ext` before `{name}` before
 * `{name*}`, then an exact method before `ANY`.
 */
export function createRouteMatcher(table: readonly RouteDefinition[]): RouteMatcher {
  const compiled = compileTable(table).sort(compareSpecificity);
  return (method, rawPath) => {
    if (typeof method !== "string" || typeof rawPath !== "string") {
      throw new TypeError("route matcher: pass (method, rawPath) as strings, e.g. ('GET', '/apps?')");
    }
    const upper = method.toUpperCase();
    if (!REQUEST_METHOD.test(upper) || upper === "ANY") return null;
    const normalized = normalizeRequestPath(rawPath);
    if (normalized === null) return null;
    for (const { route, pattern } of compiled) {
      if (route.method !== upper && (route.method !== "ANY" || upper === "SOCKET")) continue;
      const params = matchPattern(pattern, normalized.segments);
      if (params === null) continue;
      const app = params.app;
      return Object.freeze({
        route,
        permission: route.permission,
        mfa: route.mfa,
        socket: route.method === "SOCKET",
        ...(app === undefined ? {} : { app }),
        params: Object.freeze(params),
        path: normalized.path,
      });
    }
    return null;
  };
}

function compileTable(table: readonly RouteDefinition[]): CompiledRoute[] {
  const seen = new Map<string, number>();
  return table.map((route, index) => {
    const where = `route #${index} (${String(route?.method)} ${String(route?.path)})`;
    if (typeof route !== "object" || route === null) throw new TypeError(`${where}: expected an object`);
    if (!TABLE_METHODS.has(route.method)) {
      throw new TypeError(`${where}: method must be one of ${[...TABLE_METHODS].join(", ")} (upper case)`);
    }
    if (!MFA_LEVELS.has(route.mfa))
      throw new TypeError(`${where}: mfa must be "none", "step-up" or "always"`);
    if (route.permission === null) {
      if (route.answer === undefined || !ANSWERS.has(route.answer)) {
        throw new TypeError(
          `${where}: a route without permission must say who answers it: "check", "auth", "probe" or "public"`,
        );
      }
    } else {
      if (!isPermission(route.permission)) {
        throw new TypeError(
          `${where}: unknown permission ${JSON.stringify(route.permission)}; use one from the catalog`,
        );
      }
      if (route.answer !== undefined) {
        throw new TypeError(`${where}: a route the gateway answers itself must have permission null`);
      }
    }
    const pattern = parsePattern(route.path, where);
    const shape = `${route.method} ${pattern.map(shapeOf).join("/")}`;
    const earlier = seen.get(shape);
    if (earlier !== undefined)
      throw new TypeError(`${where}: duplicates route #${earlier} (same method and path)`);
    seen.set(shape, index);
    return { route, pattern };
  });
}

function parsePattern(path: unknown, where: string): PatternSegment[] {
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new TypeError(`${where}: path must start with "/"`);
  }
  if (path === "/") return [];
  const names = new Set<string>();
  const parts = path.slice(1).split("/");
  return parts.map((part, index): PatternSegment => {
    if (LITERAL.test(part) && part !== "." && part !== "..") return { kind: "literal", value: part };
    const param = PARAM.exec(part);
    if (param === null) {
      throw new TypeError(
        `${where}: bad segment ${JSON.stringify(part)}; use a literal, {name}, {name}.ext or {name*}`,
      );
    }
    const [, name = "", star, suffix = ""] = param;
    if (names.has(name)) throw new TypeError(`${where}: parameter {${name}} appears twice`);
    names.add(name);
    if (star === "") return { kind: "param", name, suffix };
    if (suffix !== "" || index !== parts.length - 1) {
      throw new TypeError(`${where}: {${name}*} must be the whole last segment`);
    }
    return { kind: "rest", name };
  });
}

function shapeOf(segment: PatternSegment): string {
  if (segment.kind === "literal") return segment.value;
  return segment.kind === "param" ? `{}${segment.suffix}` : "{*}";
}

function rankOf(segment: PatternSegment | undefined): number {
  if (segment === undefined) return -1;
  if (segment.kind === "literal") return 3;
  if (segment.kind === "rest") return 0;
  return segment.suffix === "" ? 1 : 2;
}

function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.pattern.length, b.pattern.length);
  for (let i = 0; i < length; i++) {
    const left = a.pattern[i];
    const right = b.pattern[i];
    const byRank = rankOf(right) - rankOf(left);
    if (byRank !== 0) return byRank;
    if (left?.kind === "param" && right?.kind === "param") {
      const bySuffix = right.suffix.length - left.suffix.length;
      if (bySuffix !== 0) return bySuffix;
    }
  }
  return Number(a.route.method === "ANY") - Number(b.route.method === "ANY");
}

function matchPattern(
  pattern: readonly PatternSegment[],
  segments: readonly string[],
): Record<string, string> | null {
  const params: Record<string, string> = Object.create(null);
  for (const [index, part] of pattern.entries()) {
    if (part.kind === "rest") {
      if (segments.length <= index) return null;
      params[part.name] = segments.slice(index).join("/");
      return params;
    }
    const segment = segments[index];
    if (segment === undefined) return null;
    if (part.kind === "literal") {
      if (segment !== part.value) return null;
    } else {
      if (segment.length <= part.suffix.length || !segment.endsWith(part.suffix)) return null;
      params[part.name] = segment.slice(0, segment.length - part.suffix.length);
    }
  }
  return pattern.length === segments.length ? params : null;
}
