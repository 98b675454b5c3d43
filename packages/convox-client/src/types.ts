// Wire shapes of the Convox v3 rack API (github.com/convox/convox pkg/structs). Times are RFC 3339 strings.

export interface ConvoxApp {
  generation?: string;
  locked: boolean;
  name: string;
  release: string;
  router: string;
  status: string;
  parameters: Record<string, string>;
}

export interface ConvoxRelease {
  id: string;
  app: string;
  build: string;
  /** Newline-separated `KEY=VALUE` list. */
  env: string;
  manifest: string;
  description: string;
  created: string;
}

export interface ConvoxBuild {
  id: string;
  app: string;
  description: string;
  entrypoint: string;
  "git-sha": string;
  logs: string;
  manifest: string;
  process: string;
  release: string;
  reason: string;
  repository: string;
  status: string;
  started: string;
  ended: string;
}

export interface ConvoxProcess {
  id: string;
  app: string;
  command: string;
  cpu: number;
  host: string;
  image: string;
  instance: string;
  memory: number;
  name: string;
  ports: string[];
  release: string;
  started: string;
  status: string;
}

export interface ConvoxServicePort {
  balancer: number;
  certificate: string;
  container: number;
}

export interface ConvoxService {
  count: number;
  cpu: number;
  domain: string;
  gpu: number;
  "gpu-vendor": string;
  memory: number;
  name: string;
  nlb: unknown[];
  ports: ConvoxServicePort[];
  min?: number;
  max?: number;
}

export interface ConvoxSystem {
  count: number;
  domain: string;
  name: string;
  outputs?: Record<string, string>;
  parameters?: Record<string, string>;
  provider: string;
  "rack-domain": string;
  region: string;
  status: string;
  type: string;
  version: string;
}

/** Answer of `POST /apps/{app}/objects/{key}`. */
export interface ConvoxObject {
  url: string;
}
