/** One route: `{name}` matches a segment, `{name*}` the rest of the path (slashes included, possibly empty). */
export interface RouteEntry<H> {
  method: string;
  pattern: string;
  handler: H;
}

/** Result of {@link matchRoute}. */
export type RouteLookup<H> =
  | { kind: "match"; handler: H; params: Record<string, string> }
  | { kind: "method-not-allowed" }
  | { kind: "not-found" };

interface CompiledRoute<H> extends RouteEntry<H> {
  regex: RegExp;
  names: string[];
}

/** Compiles route patterns once; earlier routes win, as in gorilla/mux. */
export function compileRoutes<H>(entries: readonly RouteEntry<H>[]): CompiledRoute<H>[] {
  return entries.map((entry) => {
    const names: string[] = [];
    const source = entry.pattern
      .replace(/[.]/g, "\\.")
      .replace(/\{(\w+)(\*?)\}/g, (_all, name: string, star: string) => {
        names.push(name);
        return star === "*" ? "(.*)" : "([^/]+)";
      });
    return { ...entry, regex: new RegExp(`^${source}$`), names };
  });
}

/** Finds the route for `method` and a raw (still percent-encoded) `pathname`. */
export function matchRoute<H>(
  routes: readonly CompiledRoute<H>[],
  method: string,
  pathname: string,
): RouteLookup<H> {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.regex.exec(pathname);
    if (match === null) continue;
    if (route.method !== "ANY" && route.method !== method) {
      pathMatched = true;
      continue;
    }
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => {
      params[name] = safeDecode(match[index + 1] ?? "");
    });
    return { kind: "match", handler: route.handler, params };
  }
  return pathMatched ? { kind: "method-not-allowed" } : { kind: "not-found" };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
