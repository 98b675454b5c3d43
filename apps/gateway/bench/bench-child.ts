/**
 * @module One benchmark child process: `bench-child.ts rack|bare|gateway` runs that server on loopback,
 * reports `ready` over IPC, samples its own RSS on request and stops on `stop`. The gateway child is the
 * product's own `loadConfig` + `startGateway`; only this wrapper (not the gateway) knows about IPC.
 */
import { randomBytes } from "node:crypto";
import { startFakeRack } from "@rack-gateway/convox-client/testing";
// The gateway as production runs it: the compiled package (dist/, see children.ts), not the TypeScript sources.
import { loadConfig, startGateway } from "@rack-gateway/gateway";
import type { Role } from "@rack-gateway/rbac";
import { createApiToken, displayPrefixOf, hashApiToken } from "../src/auth/api-token.js";
import { startBareProxy } from "./bare-proxy.js";
import type { ChildMessage, ChildRole, ParentMessage } from "./protocol.js";
import { type RssSampler, startRssSampler } from "./rss-sampler.js";

function send(message: ChildMessage): void {
  process.send?.(message);
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new TypeError(`bench-child needs ${name} in its environment`);
  return value;
}

async function startRole(
  role: ChildRole,
): Promise<{ url: string; tokens?: { viewer: string; deployer: string }; close(): Promise<void> }> {
  if (role === "rack") {
    // Uploads are hashed and dropped, so the rack's memory stays flat whatever the upload size.
    return startFakeRack({ password: requireEnv("BENCH_RACK_PASSWORD"), retainObjects: false });
  }
  if (role === "bare") return startBareProxy(new URL(requireEnv("BENCH_TARGET_URL")));
  const gateway = await startGateway(loadConfig(process.env));
  const createToken = async (role: Role) => {
    const token = createApiToken((count) => randomBytes(count));
    await gateway.database.stores.tokens.create({
      name: `bench-${role}`,
      tokenHash: hashApiToken(token),
      displayPrefix: displayPrefixOf(token),
      grants: [{ role }],
      createdBy: "bench",
      createdAt: new Date(),
      expiresAt: null,
    });
    return token;
  };
  const tokens = { viewer: await createToken("viewer"), deployer: await createToken("deployer") };
  return { url: gateway.url, tokens, close: () => gateway.close() };
}

const role = process.argv[2];
if (role !== "rack" && role !== "bare" && role !== "gateway") {
  throw new TypeError("usage: bench-child.ts rack|bare|gateway (started by proxy-bench.ts)");
}
try {
  const running = await startRole(role);
  let sampler: RssSampler | null = null;
  process.on("message", (message: ParentMessage) => {
    if (message.type === "rss-start") {
      sampler = startRssSampler();
      send({ type: "rss-started" });
    } else if (message.type === "rss-stop" && sampler) {
      send({ type: "rss", ...sampler.stop() });
      sampler = null;
    } else if (message.type === "stop") {
      process.removeAllListeners("disconnect");
      void running.close().then(() => {
        send({ type: "stopped" });
        process.disconnect();
      });
    }
  });
  // The benchmark died without stopping us: don't outlive it.
  process.once("disconnect", () => {
    void running.close().finally(() => process.exit(0));
  });
  send({
    type: "ready",
    url: running.url,
    ...(running.tokens === undefined ? {} : { tokens: running.tokens }),
  });
} catch (error) {
  send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
  process.disconnect();
}
