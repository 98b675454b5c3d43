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
  // This runs on every proxied request. Instead of trying every row, try only the rows that can match this
  // method and segment count: a filtered view of the sorted table keeps its order, so the first match is the
  // same row. Views are built on first use; methods the table does not name share one view (only ANY rows can
  // match them), so there are at most (methods + 1) × (MAX_PATH_SEGMENTS + 1) of them.
  const views = new Map<string, readonly CompiledRoute[]>();
  const candidatesFor = (method: string, segmentCount: number): readonly CompiledRoute[] => {
    const key = `${TABLE_METHODS.has(method) ? method : "*"} ${segmentCount}`;
    let view = views.get(key);
    if (view === undefined) {
      view = compiled.filter(
        ({ route, pattern }) =>
          (route.method === method || (route.method === "ANY" && method !== "SOCKET")) &&
          fitsSegmentCount(pattern, segmentCount),
      );
      views.set(key, view);
    }
    return view;
  };
  return (method, rawPath) => {
    if (typeof method !== "string" || typeof rawPath !== "string") {
      throw new TypeError("route matcher: pass (method, rawPath) as strings, e.g. ('GET', '/apps?')");
    }
    const upper = method.toUpperCase();
    if (!REQUEST_METHOD.test(upper) || upper === "ANY") return null;
    const normalized = normalizeRequestPath(rawPath);
    if (normalized === null) return null;
    for (const { route, pattern } of candidatesFor(upper, normalized.segments.length)) {
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

/** Whether a pattern can match a path of `count` segments (a final `{name*}` takes one or more). */
function fitsSegmentCount(pattern: readonly PatternSegment[], count: number): boolean {
  return pattern.at(-1)?.kind === "rest" ? count >= pattern.length : count === pattern.length;
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
  // Literals first, without allocating: most candidate rows fail on a literal segment.
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]!;
    if (part.kind === "rest") break;
    const segment = segments[index];
    if (segment === undefined) return null;
    if (part.kind === "literal" ? segment !== part.value : !fitsParam(segment, part.suffix)) return null;
  }
  const last = pattern.at(-1);
  if (last?.kind === "rest" ? segments.length < pattern.length : segments.length !== pattern.length) {
    return null;
  }
  const params: Record<string, string> = Object.create(null);
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]!;
    if (part.kind === "rest") params[part.name] = segments.slice(index).join("/");
    else if (part.kind === "param") {
      const segment = segments[index]!;
      params[part.name] = segment.slice(0, segment.length - part.suffix.length);
    }
  }
  return params;
}

function fitsParam(segment: string, suffix: string): boolean {
  return segment.length > suffix.length && segment.endsWith(suffix);
}
