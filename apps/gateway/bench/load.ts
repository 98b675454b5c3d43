/**
 * The load generator (runs in the benchmark's own process): a fixed number of requests over N keep-alive
 * connections, each connection sending its next request as soon as the previous answer is fully read.
 */
import http from "node:http";

export interface ReadLoadResult {
  readonly requests: number;
  /** Answers other than 200, plus transport errors. */
  readonly failures: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface LoadTarget {
  /** Base URL, e.g. `http://127.0.0.1:1234/api/v1/rack-proxy`. */
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly agent: http.Agent;
}

export function createLoadAgent(connections: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

export function basicAuthorization(password: string): string {
  // Like the convox CLI: user "convox", password URL-escaped.
  return `Basic ${Buffer.from(`convox:${encodeURIComponent(password)}`).toString("base64")}`;
}

function percentile(sortedMs: Float64Array, fraction: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)] ?? Number.NaN;
}

/** Why requests failed (status codes and transport errors), for the message that stops a run. */
export const failureReasons = new Map<string, number>();

function getOnce(target: LoadTarget, path: string): Promise<number> {
  const failed = (reason: string) => failureReasons.set(reason, (failureReasons.get(reason) ?? 0) + 1);
  return new Promise((resolve) => {
    const request = http.get(
      `${target.baseUrl}${path}`,
      { agent: target.agent, headers: target.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => {
          if (response.statusCode !== 200) chunks.push(chunk);
        });
        response.once("end", () => {
          if (response.statusCode !== 200)
            failed(`${response.statusCode} ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`);
          resolve(response.statusCode ?? 0);
        });
        response.once("error", (error: NodeJS.ErrnoException) => {
          failed(`response ${error.code ?? error.message}`);
          resolve(0);
        });
      },
    );
    request.once("error", (error: NodeJS.ErrnoException) => {
      failed(`request ${error.code ?? error.message}`);
      resolve(0);
    });
  });
}

/** Sends `count` GETs of `path` over `connections` concurrent keep-alive connections. */
export async function runReads(
  target: LoadTarget,
  path: string,
  count: number,
  connections: number,
): Promise<ReadLoadResult> {
  const latenciesMs = new Float64Array(count);
  let next = 0;
  let failures = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const started = process.hrtime.bigint();
      const status = await getOnce(target, path);
      latenciesMs[index] = Number(process.hrtime.bigint() - started) / 1e6;
      if (status !== 200) failures += 1;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latenciesMs.sort();
  return {
    requests: count,
    failures,
    requestsPerSecond: count / seconds,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
  };
}

export interface UploadResult {
  readonly status: number;
  readonly bytes: number;
  readonly megabytesPerSecond: number;
}

const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);

/**
 * Streams `bytes` of body (1 MiB chunks, respecting backpressure) as one POST, the way `convox build` sends
 * its tarball, and times it until the answer is fully read.
 */
export function runUpload(target: LoadTarget, path: string, bytes: number): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request(`${target.baseUrl}${path}`, {
      method: "POST",
      agent: target.agent,
      headers: {
        ...target.headers,
        "Content-Type": "application/octet-stream",
        "Content-Length": String(bytes),
      },
    });
    request.once("error", reject);
    request.once("response", (response) => {
      response.resume();
      response.once("end", () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({ status: response.statusCode ?? 0, bytes, megabytesPerSecond: bytes / 1e6 / seconds });
      });
    });
    let remaining = bytes;
    const write = () => {
      while (remaining > 0) {
        const chunk = remaining >= CHUNK.length ? CHUNK : CHUNK.subarray(0, remaining);
        remaining -= chunk.length;
        if (!request.write(chunk)) {
          request.once("drain", write);
          return;
        }
      }
      request.end();
    };
    write();
  });
}

export interface PacedLoadResult {
  readonly requests: number;
  readonly failures: number;
  /** The rate asked for and the rate the requests were actually sent at. */
  readonly targetPerSecond: number;
  readonly sentPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Open-loop load: sends `count` GETs at a fixed rate, whatever the answers do, over as many keep-alive
 * connections as that needs (the agent's maxSockets). Latency counts from the moment each request was *due*, not
 * when it was sent, so a proxy that stalls is charged for the requests queued behind the stall (no coordinated
 * omission). Below both proxies' capacity this measures the latency a proxy adds, not queueing.
 */
export async function runPacedReads(
  target: LoadTarget,
  path: string,
  count: number,
  perSecond: number,
): Promise<PacedLoadResult> {
  const latenciesMs = new Float64Array(count);
  const intervalNs = BigInt(Math.round(1e9 / perSecond));
  let failures = 0;
  const started = process.hrtime.bigint();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  while (sent < count) {
    const now = process.hrtime.bigint();
    // Send every request that is due by now (a late timer sends a small burst, each timed from its due time).
    while (sent < count && started + BigInt(sent) * intervalNs <= now) {
      const index = sent++;
      const due = started + BigInt(index) * intervalNs;
      inFlight.push(
        getOnce(target, path).then((status) => {
          latenciesMs[index] = Number(process.hrtime.bigint() - due) / 1e6;
          if (status !== 200) failures += 1;
        }),
      );
    }
    const nextDue = started + BigInt(sent) * intervalNs;
    const waitMs = Number(nextDue - process.hrtime.bigint()) / 1e6;
    await new Promise((resolve) => (waitMs > 1 ? setTimeout(resolve, waitMs - 1) : setImmediate(resolve)));
  }
  const sentSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(inFlight);
  latenciesMs.sort();
  return {
    requests: count,
    failures,
    targetPerSecond: perSecond,
    sentPerSecond: count / sentSeconds,
    p50Ms: percentile(latenciesMs, 0.5),
    p99Ms: percentile(latenciesMs, 0.99),
  };
}
