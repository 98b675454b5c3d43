import { createHash } from "node:crypto";
import type { HttpContext, HttpRoute, Reply } from "./fake-rack-context.js";
import { FakeRackError, parseCount, readHeader, readOption, requireApp } from "./fake-rack-context.js";
import type { RouteEntry } from "./route-table.js";

const ok: Reply = { text: "ok\n", contentType: "text/plain; charset=utf-8" };
const empty: Reply = { text: "" };

function requireService(context: HttpContext, app: string, name: string) {
  const service = context.model.state.services.get(app)?.find((candidate) => candidate.name === name);
  if (service === undefined) throw new FakeRackError(404, `service not found: ${name}`);
  return service;
}

function requireProcess(context: HttpContext, app: string, pid: string) {
  const process = context.model.state.processes.find(
    (candidate) => candidate.app === app && candidate.id === pid,
  );
  if (process === undefined) throw new FakeRackError(404, `process not found: ${pid}`);
  return process;
}

function requireRelease(context: HttpContext, app: string, id: string) {
  const release = context.model.state.releases.find(
    (candidate) => candidate.app === app && candidate.id === id,
  );
  if (release === undefined) throw new FakeRackError(404, `release not found: ${id}`);
  return release;
}

function limitOf(context: HttpContext, fallback: number): number {
  return parseCount(context.query.get("limit") ?? undefined, "limit") ?? fallback;
}

async function storeObject(context: HttpContext): Promise<Reply> {
  const app = requireApp(context);
  const key = context.params.key ?? "";
  const hash = createHash("sha256");
  const kept: Uint8Array[] = [];
  let size = 0;
  // Hash as the bytes arrive; keep them only when asked, so huge uploads cost no memory.
  for await (const chunk of context.body) {
    hash.update(chunk);
    size += chunk.byteLength;
    if (context.retainObjects) kept.push(chunk);
  }
  context.model.state.objects.set(`${app.name}/${key}`, {
    app: app.name,
    key,
    size,
    sha256: hash.digest("hex"),
    ...(context.retainObjects ? { bytes: new Uint8Array(Buffer.concat(kept)) } : {}),
  });
  return { json: { url: `object://${app.name}/${key}` } };
}

function requireObject(context: HttpContext) {
  const app = requireApp(context);
  const object = context.model.state.objects.get(`${app.name}/${context.params.key ?? ""}`);
  if (object === undefined) throw new FakeRackError(404, `object not found: ${context.params.key ?? ""}`);
  return object;
}

/** The routes the fake rack models with state, in gorilla/mux order. */
export const MODELLED_ROUTES: RouteEntry<HttpRoute>[] = [
  { method: "GET", pattern: "/auth", handler: { handle: () => ok } },
  { method: "GET", pattern: "/system", handler: { handle: (c) => ({ json: c.model.state.system }) } },
  {
    method: "GET",
    pattern: "/apps",
    handler: {
      handle: (c) => ({
        json: [...c.model.state.apps.values()].sort((a, b) => a.name.localeCompare(b.name)),
      }),
    },
  },
  {
    method: "POST",
    pattern: "/apps",
    handler: {
      handle: (c) => {
        const name = readOption(c, "name") ?? "";
        if (!/^[a-z][a-z0-9-]{0,29}$/.test(name)) throw new FakeRackError(400, `invalid app name: ${name}`);
        if (c.model.state.apps.has(name)) throw new FakeRackError(409, `app already exists: ${name}`);
        const app = c.model.createApp(name);
        app.generation = readOption(c, "generation") ?? "3";
        return { json: app };
      },
    },
  },
  { method: "GET", pattern: "/apps/{app}", handler: { handle: (c) => ({ json: requireApp(c) }) } },
  {
    method: "PUT",
    pattern: "/apps/{app}",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const lock = readOption(c, "lock");
        if (lock !== undefined) app.locked = lock === "true";
        for (const [key, value] of c.form) {
          const match = /^parameters\[(.+)\]$/.exec(key);
          if (match?.[1] !== undefined) app.parameters[match[1]] = value;
        }
        return empty;
      },
    },
  },
  {
    method: "DELETE",
    pattern: "/apps/{app}",
    handler: {
      handle: (c) => {
        c.model.deleteApp(requireApp(c).name);
        return empty;
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/processes",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const service = c.query.get("service");
        const release = c.query.get("release");
        const processes = c.model.state.processes.filter(
          (p) =>
            p.app === app.name &&
            (service === null || p.name === service) &&
            (release === null || p.release === release),
        );
        return { json: processes.sort((a, b) => `${a.name}-${a.id}`.localeCompare(`${b.name}-${b.id}`)) };
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/processes/{pid}",
    handler: { handle: (c) => ({ json: requireProcess(c, requireApp(c).name, c.params.pid ?? "") }) },
  },
  {
    method: "DELETE",
    pattern: "/apps/{app}/processes/{pid}",
    handler: {
      handle: (c) => {
        const process = requireProcess(c, requireApp(c).name, c.params.pid ?? "");
        c.model.state.processes = c.model.state.processes.filter((candidate) => candidate !== process);
        return empty;
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/services",
    handler: { handle: (c) => ({ json: c.model.state.services.get(requireApp(c).name) ?? [] }) },
  },
  {
    method: "POST",
    pattern: "/apps/{app}/services/{service}/processes",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        requireService(c, app.name, c.params.service ?? "");
        const command = readHeader(c.headers, "Command") ?? "";
        const release = readHeader(c.headers, "Release");
        if (release !== undefined) requireRelease(c, app.name, release);
        return { json: c.model.startProcess(app, c.params.service ?? "", command, release) };
      },
    },
  },
  {
    method: "POST",
    pattern: "/apps/{app}/services/{service}/restart",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const service = requireService(c, app.name, c.params.service ?? "");
        c.model.replaceProcesses(app, service.name, service.count);
        return empty;
      },
    },
  },
  {
    method: "PUT",
    pattern: "/apps/{app}/services/{service}",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const service = requireService(c, app.name, c.params.service ?? "");
        const count = parseCount(readOption(c, "count"), "count");
        service.cpu = parseCount(readOption(c, "cpu"), "cpu") ?? service.cpu;
        service.memory = parseCount(readOption(c, "memory"), "memory") ?? service.memory;
        if (count !== undefined) {
          service.count = count;
          c.model.replaceProcesses(app, service.name, count);
        }
        return empty;
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/releases",
    handler: { handle: (c) => ({ json: c.model.releasesOf(requireApp(c).name).slice(0, limitOf(c, 10)) }) },
  },
  {
    method: "POST",
    pattern: "/apps/{app}/releases",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const build = readOption(c, "build");
        if (build !== undefined && !c.model.state.builds.some((b) => b.app === app.name && b.id === build)) {
          throw new FakeRackError(404, `build not found: ${build}`);
        }
        const env = readOption(c, "env");
        const description = readOption(c, "description");
        return {
          json: c.model.createRelease(app.name, {
            ...(build !== undefined ? { build } : {}),
            ...(env !== undefined ? { env } : {}),
            ...(description !== undefined ? { description } : {}),
          }),
        };
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/releases/{id}",
    handler: { handle: (c) => ({ json: requireRelease(c, requireApp(c).name, c.params.id ?? "") }) },
  },
  {
    method: "POST",
    pattern: "/apps/{app}/releases/{id}/promote",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const release = requireRelease(c, app.name, c.params.id ?? "");
        if (app.locked) throw new FakeRackError(403, `app is locked: ${app.name}`);
        c.model.promote(app, release.id);
        return empty;
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/builds",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const builds = c.model.state.builds.filter((build) => build.app === app.name).reverse();
        return { json: builds.slice(0, limitOf(c, 10)) };
      },
    },
  },
  {
    method: "POST",
    pattern: "/apps/{app}/builds",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const url = readOption(c, "url") ?? "";
        const match = /^object:\/\/([^/]+)\/(.+)$/.exec(url);
        if (match === null) throw new FakeRackError(400, `invalid build url: ${url}`);
        if (!c.model.state.objects.has(`${match[1]}/${match[2]}`)) {
          throw new FakeRackError(404, `object not found: ${match[2] ?? ""}`);
        }
        const build = c.model.createBuild(app.name, readOption(c, "description") ?? "");
        c.scheduleBuild(build.id);
        return { json: build };
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/builds/{id}",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const build = c.model.state.builds.find((b) => b.app === app.name && b.id === c.params.id);
        if (build === undefined) throw new FakeRackError(404, `build not found: ${c.params.id ?? ""}`);
        return { json: build };
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/objects",
    handler: {
      handle: (c) => {
        const app = requireApp(c);
        const objects = [...c.model.state.objects.values()].filter((object) => object.app === app.name);
        return { json: objects.map((object) => ({ key: object.key, size: object.size })) };
      },
    },
  },
  {
    method: "POST",
    pattern: "/apps/{app}/objects/{key*}",
    handler: { handle: storeObject, streamBody: true },
  },
  {
    method: "HEAD",
    pattern: "/apps/{app}/objects/{key*}",
    handler: {
      handle: (c) => {
        requireObject(c);
        return empty;
      },
    },
  },
  {
    method: "GET",
    pattern: "/apps/{app}/objects/{key*}",
    handler: {
      handle: (c) => {
        const object = requireObject(c);
        if (object.bytes === undefined)
          throw new FakeRackError(410, "object content not retained (retainObjects: false)");
        return { bytes: object.bytes, contentType: "application/octet-stream" };
      },
    },
  },
  {
    method: "DELETE",
    pattern: "/apps/{app}/objects/{key*}",
    handler: {
      handle: (c) => {
        const object = requireObject(c);
        c.model.state.objects.delete(`${object.app}/${object.key}`);
        return empty;
      },
    },
  },
];
