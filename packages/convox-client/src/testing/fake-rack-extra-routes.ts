import type { HttpContext, HttpRoute, Reply } from "./fake-rack-context.js";
import { requireApp } from "./fake-rack-context.js";
import { formatTime } from "./fake-rack-model.js";
import type { RouteEntry } from "./route-table.js";

// Routes the fake answers plausibly without modelling them, so a permission matrix over the whole
// route table observes 2xx for every allowed call.

type Answer = (context: HttpContext) => unknown;

function route(
  method: string,
  pattern: string,
  answer: Answer,
  forApp = pattern.startsWith("/apps/"),
): RouteEntry<HttpRoute> {
  return {
    method,
    pattern,
    handler: {
      handle: (context): Reply => {
        if (forApp) requireApp(context);
        const value = answer(context);
        return typeof value === "string" ? { text: value } : { json: value };
      },
    },
  };
}

const done = () => "";
const metric = (name: string) => ({
  name,
  values: [{ time: "2024-01-01T00:00:00Z", average: 1.5, maximum: 3, minimum: 0.5 }],
});
const budget = (c: HttpContext) => ({
  app: c.params.app,
  "monthly-cap-usd": 500,
  "current-month-spend-usd": 42.5,
  "alert-threshold-percent": 80,
  "at-cap-action": "alert-only",
});
const certificate = (id: string) => ({
  id,
  arn: `arn:aws:acm:us-east-1:000000000000:certificate/${id}`,
  domain: "app.example.test",
  domains: ["app.example.test"],
  expiration: "2030-01-01T00:00:00Z",
  status: "ISSUED",
});
const resource = (name: string) => ({
  name,
  type: "postgres",
  status: "running",
  url: "",
  parameters: {},
  apps: [],
});

/** Every rack route the fake does not model with state. */
export const EXTRA_ROUTES: RouteEntry<HttpRoute>[] = [
  route("GET", "/apps/{app}/diagnose", (c) => ({
    app: c.params.app,
    checks: [{ name: "pods", status: "ok" }],
  })),
  route("GET", "/apps/{app}/metrics", () => [metric("process-running"), metric("cpu")]),
  route("GET", "/apps/{app}/metrics-by-service", () => ({ web: [metric("cpu")] })),
  route("GET", "/apps/{app}/manifest/services/{service}", (c) => ({
    name: c.params.service,
    build: { path: "." },
  })),
  route("GET", "/apps/{app}/cost", (c) => ({ app: c.params.app, "month-to-date-usd": 42.5, services: [] })),
  route("GET", "/apps/{app}/balancers", (c) => [
    { name: "web", app: c.params.app, domain: "", endpoints: [] },
  ]),
  route("GET", "/apps/{app}/budget", budget),
  route("GET", "/apps/{app}/budget/shutdown-state", () => ({ state: "none" })),
  route("POST", "/apps/{app}/cancel", done),
  route("POST", "/apps/{app}/budget", budget),
  route("DELETE", "/apps/{app}/budget", done),
  route("POST", "/apps/{app}/budget/reset", budget),
  route("POST", "/apps/{app}/budget/simulate-shutdown", () => ({ state: "simulated" })),
  route("POST", "/apps/{app}/budget/dismiss-recovery", done),
  route("GET", "/apps/{app}/builds/{id}.tgz", () => "\u001f\u008b fake build export"),
  route("POST", "/apps/{app}/builds/import", (c) => ({
    id: c.model.nextId("B"),
    app: c.params.app,
    status: "complete",
  })),
  route("POST", "/apps/{app}/builds/{id}/image", (c) => ({
    id: c.params.id,
    app: c.params.app,
    status: "complete",
  })),
  route("PUT", "/apps/{app}/builds/{id}", (c) => ({ id: c.params.id, app: c.params.app })),
  route("GET", "/apps/{app}/configs", () => [{ name: "app-config", value: "" }]),
  route("GET", "/apps/{app}/configs/{name}", (c) => ({ name: c.params.name, value: "" })),
  route("PUT", "/apps/{app}/configs/{name}", done),
  route("GET", "/apps/{app}/processes/{pid}/files", () => "fake file content\n"),
  route("POST", "/apps/{app}/processes/{pid}/files", done),
  route("DELETE", "/apps/{app}/processes/{pid}/files", done),
  route("GET", "/apps/{app}/services/{service}/metrics", () => [metric("cpu"), metric("memory")]),
  route("POST", "/apps/{app}/services/{service}/scale-override", done),
  route("POST", "/apps/{app}/services/{service}/triggers/enable", done),
  route("POST", "/apps/{app}/services/{service}/triggers/disable", done),
  route("POST", "/apps/{app}/services/{service}/triggers/threshold", done),
  route("GET", "/apps/{app}/resources", () => [resource("database")]),
  route("GET", "/apps/{app}/resources/{name}/data", () => "-- fake resource export\n"),
  route("PUT", "/apps/{app}/resources/{name}/data", done),
  route("GET", "/apps/{app}/resources/{name}", (c) => resource(c.params.name ?? "")),
  route("PUT", "/apps/{app}/ssl/{service}/{port}", done),
  route("GET", "/certificates", () => [certificate("cert-0001")]),
  route("POST", "/certificates/generate", () => certificate("cert-0002")),
  route("POST", "/certificates/{id}/renew", (c) => certificate(c.params.id ?? "")),
  route("POST", "/certificates", () => certificate("cert-0003")),
  route("DELETE", "/certificates/{id}", done),
  route("GET", "/letsencrypt/config", () => ({ solvers: [] })),
  route("PUT", "/letsencrypt/config", done),
  route("GET", "/instances", (c) => [
    {
      agent: true,
      cpu: 0.2,
      id: "i-0fake00000000001",
      memory: 0.4,
      "private-ip": "10.0.1.23",
      processes: c.model.state.processes.length,
      "public-ip": "",
      status: "running",
      started: formatTime(c.model.now()),
    },
  ]),
  route("POST", "/instances/keyroll", done),
  route("DELETE", "/instances/{id}", done),
  route("GET", "/registries", () => [{ server: "registry.example.test", username: "deploy", password: "" }]),
  route("POST", "/registries", () => ({ server: "registry.example.test", username: "deploy", password: "" })),
  route("DELETE", "/registries/{server*}", done),
  route("ANY", "/v2/{path*}", () => ({ repositories: [] })),
  route("GET", "/system/capacity", () => ({
    "cluster-cpu": 6144,
    "cluster-memory": 12288,
    "process-count": 3,
  })),
  route("GET", "/system/metrics", () => [metric("cluster-cpu-utilization")]),
  route("GET", "/system/processes", (c) => c.model.state.processes),
  route("GET", "/system/releases", () => [{ id: "3.19.6", app: "system", created: "2024-01-01T00:00:00Z" }]),
  route("PUT", "/system", done),
  route("POST", "/system/jwt/token", () => ({
    // A syntactically valid JWT that no real rack would accept.
    token: `${base64Url({ alg: "HS256", typ: "JWT" })}.${base64Url({ sub: "fake", role: "rw" })}.ZmFrZS1zaWduYXR1cmU`,
  })),
  route("PUT", "/system/jwt/rotate", done),
  route("POST", "/system/karpenter/cleanup", done),
  route("GET", "/resources", () => [resource("shared-db")]),
  route("OPTIONS", "/resources", () => [
    { name: "postgres", parameters: [] },
    { name: "redis", parameters: [] },
  ]),
  route("POST", "/resources", () => resource("new-resource")),
  route("POST", "/resources/{name}/links", (c) => resource(c.params.name ?? "")),
  route("DELETE", "/resources/{name}/links/{app}", (c) => resource(c.params.name ?? ""), false),
  route("GET", "/resources/{name}", (c) => resource(c.params.name ?? "")),
  route("PUT", "/resources/{name}", (c) => resource(c.params.name ?? "")),
  route("DELETE", "/resources/{name}", done),
  route("POST", "/events", done),
  route("ANY", "/custom/http/proxy/{path*}", () => ({ proxied: true })),
];

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
