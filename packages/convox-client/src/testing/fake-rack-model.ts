import type {
  ConvoxApp,
  ConvoxBuild,
  ConvoxProcess,
  ConvoxRelease,
  ConvoxService,
  ConvoxSystem,
} from "../types.js";

/** A service of a seeded app. */
export interface FakeServiceSeed {
  name: string;
  /** Running processes. Default 1. */
  count?: number;
  /** Container port behind the balancer; none when omitted. */
  port?: number;
  cpu?: number;
  memory?: number;
}

/** An app present when the fake rack starts (and after `reset()`). */
export interface FakeAppSeed {
  name: string;
  /** Env of the app's first release. */
  env?: Record<string, string>;
  services?: FakeServiceSeed[];
  parameters?: Record<string, string>;
  locked?: boolean;
}

/** An object stored by `POST /apps/{app}/objects/{key}`; `bytes` only when objects are retained. */
export interface FakeObject {
  app: string;
  key: string;
  size: number;
  sha256: string;
  bytes?: Uint8Array;
}

/** A log line of an app. */
export interface FakeLogLine {
  app: string;
  at: Date;
  /** e.g. `service/web/web-0001`. */
  source: string;
  message: string;
}

/** Everything the fake rack knows; tests may read and change it directly. */
export interface FakeRackState {
  system: ConvoxSystem;
  apps: Map<string, ConvoxApp>;
  services: Map<string, ConvoxService[]>;
  /** All apps' releases, oldest first. */
  releases: ConvoxRelease[];
  builds: ConvoxBuild[];
  processes: ConvoxProcess[];
  /** Keyed by `APP/KEY`. */
  objects: Map<string, FakeObject>;
  logs: FakeLogLine[];
}

/** Apps seeded when `startFakeRack` gets none: one app with a web and a worker service. */
export const DEFAULT_FAKE_APPS: readonly FakeAppSeed[] = [
  {
    name: "myapp",
    env: { DATABASE_URL: "postgres://app:s3cret@db.internal:5432/app", LOG_LEVEL: "info", SECRET_KEY: "k3y" },
    services: [
      { name: "web", count: 2, port: 3000 },
      { name: "worker", count: 1 },
    ],
  },
];

const MANIFEST = "services:\n  web:\n    build: .\n    port: 3000\n";

/** Formats a time as Go's time.Time JSON does for UTC values without sub-seconds. */
export function formatTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Mutations of the model shared by the HTTP and websocket handlers. */
export class FakeRackModel {
  state: FakeRackState;
  private counter = 0;

  constructor(
    private readonly seed: readonly FakeAppSeed[],
    readonly now: () => Date,
  ) {
    this.state = this.seedState();
  }

  reset(): void {
    this.counter = 0;
    this.state = this.seedState();
  }

  /** Deterministic convox-style id: prefix + 10 capital letters. */
  nextId(prefix: string): string {
    this.counter += 1;
    let value = this.counter;
    let letters = "";
    for (let i = 0; i < 10; i++) {
      letters = String.fromCharCode(65 + (value % 26)) + letters;
      value = Math.floor(value / 26);
    }
    return `${prefix}${letters}`;
  }

  createApp(name: string, options: Omit<FakeAppSeed, "name"> = {}): ConvoxApp {
    const app: ConvoxApp = {
      generation: "3",
      locked: options.locked ?? false,
      name,
      release: "",
      router: `router.${this.state.system.domain}`,
      status: "running",
      parameters: { ...(options.parameters ?? {}) },
    };
    this.state.apps.set(name, app);
    this.state.services.set(
      name,
      (options.services ?? []).map((service) => ({
        count: service.count ?? 1,
        cpu: service.cpu ?? 256,
        domain: service.port === undefined ? "" : `${service.name}.${name}.${this.state.system.domain}`,
        gpu: 0,
        "gpu-vendor": "",
        memory: service.memory ?? 512,
        name: service.name,
        nlb: [],
        ports:
          service.port === undefined ? [] : [{ balancer: 443, certificate: "", container: service.port }],
      })),
    );
    return app;
  }

  deleteApp(name: string): void {
    this.state.apps.delete(name);
    this.state.services.delete(name);
    const keep = <T extends { app: string }>(items: T[]) => items.filter((item) => item.app !== name);
    this.state.releases = keep(this.state.releases);
    this.state.builds = keep(this.state.builds);
    this.state.processes = keep(this.state.processes);
    this.state.logs = keep(this.state.logs);
    for (const [key, object] of this.state.objects) if (object.app === name) this.state.objects.delete(key);
  }

  latestRelease(app: string): ConvoxRelease | undefined {
    return this.releasesOf(app)[0];
  }

  /** Releases of `app`, newest first. */
  releasesOf(app: string): ConvoxRelease[] {
    return this.state.releases.filter((release) => release.app === app).reverse();
  }

  createRelease(app: string, fields: { build?: string; env?: string; description?: string }): ConvoxRelease {
    const parent = this.latestRelease(app);
    const release: ConvoxRelease = {
      id: this.nextId("R"),
      app,
      build: fields.build ?? parent?.build ?? "",
      env: fields.env ?? parent?.env ?? "",
      manifest: parent?.manifest ?? MANIFEST,
      description: fields.description ?? "",
      created: formatTime(this.now()),
    };
    this.state.releases.push(release);
    return release;
  }

  promote(app: ConvoxApp, releaseId: string): void {
    app.release = releaseId;
    app.status = "running";
    for (const process of this.state.processes) if (process.app === app.name) process.release = releaseId;
  }

  createBuild(app: string, description: string): ConvoxBuild {
    const build: ConvoxBuild = {
      id: this.nextId("B"),
      app,
      description,
      entrypoint: "",
      "git-sha": "",
      logs: "",
      manifest: MANIFEST,
      process: "",
      release: "",
      reason: "",
      repository: "",
      status: "running",
      started: formatTime(this.now()),
      ended: "0001-01-01T00:00:00Z",
    };
    this.state.builds.push(build);
    return build;
  }

  completeBuild(build: ConvoxBuild): void {
    if (build.status !== "running" || !this.state.apps.has(build.app)) return;
    build.status = "complete";
    build.ended = formatTime(this.now());
    build.release = this.createRelease(build.app, { build: build.id, description: build.description }).id;
  }

  startProcess(app: ConvoxApp, service: string, command: string, release?: string): ConvoxProcess {
    const definition = this.state.services.get(app.name)?.find((candidate) => candidate.name === service);
    const process: ConvoxProcess = {
      id: `${service}-${this.nextId("").toLowerCase().slice(5)}`,
      app: app.name,
      command,
      cpu: 0,
      host: "10.0.1.23",
      image: `registry.fake/${app.name}:${service}.${release ?? app.release}`,
      instance: "i-0fake00000000001",
      memory: 0,
      name: service,
      ports: definition?.ports.map((port) => String(port.container)) ?? [],
      release: release ?? app.release,
      started: formatTime(this.now()),
      status: "running",
    };
    this.state.processes.push(process);
    return process;
  }

  /** Replaces a service's processes with `count` fresh ones (scale and restart). */
  replaceProcesses(app: ConvoxApp, service: string, count: number): void {
    this.state.processes = this.state.processes.filter(
      (process) => !(process.app === app.name && process.name === service && process.command === ""),
    );
    for (let i = 0; i < count; i++) this.startProcess(app, service, "");
  }

  private seedState(): FakeRackState {
    this.state = {
      system: {
        count: 3,
        domain: "fake-rack.convox.test",
        name: "fake-rack",
        outputs: {},
        parameters: { node_type: "t3.medium" },
        provider: "aws",
        "rack-domain": "api.fake-rack.convox.test",
        region: "us-east-1",
        status: "running",
        type: "t3.medium",
        version: "3.19.6",
      },
      apps: new Map(),
      services: new Map(),
      releases: [],
      builds: [],
      processes: [],
      objects: new Map(),
      logs: [],
    };
    for (const seed of this.seed) {
      const app = this.createApp(seed.name, seed);
      const build = this.createBuild(seed.name, "initial build");
      const env = Object.entries(seed.env ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .sort()
        .join("\n");
      const release = this.createRelease(seed.name, { build: build.id, env, description: "initial release" });
      build.status = "complete";
      build.ended = build.started;
      build.release = release.id;
      this.promote(app, release.id);
      for (const service of this.state.services.get(seed.name) ?? []) {
        this.replaceProcesses(app, service.name, service.count);
      }
      this.state.logs.push({
        app: seed.name,
        at: this.now(),
        source: "system/k8s/atom",
        message: `release ${release.id} is running`,
      });
    }
    return this.state;
  }
}
