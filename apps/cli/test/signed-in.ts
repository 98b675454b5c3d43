/**
 * People and CLI sessions for the end-to-end tests. The gateway's sign-in pages are not in place yet, so a
 * session is started with the gateway's own session service (exactly what a sign-in ends with) and written to
 * the CLI's config file the way `rack-gateway login` writes it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Grant } from "@rack-gateway/rbac";
import type { Harness } from "../../gateway/test/harness.js";

export interface SignedInPerson {
  email: string;
  token: string;
  sessionId: string;
  expiresAt: string;
}

let counter = 0;

export async function startCliSession(
  harness: Harness,
  grants: readonly Grant[],
  label = "person",
): Promise<SignedInPerson> {
  const { deps } = harness.gateway;
  counter += 1;
  const email = `${label}-${counter}-${Date.now()}@example.com`;
  const user = await deps.stores.users.create({
    email,
    name: label,
    grants,
    grantsSource: "admin",
    createdBy: "test",
    createdAt: new Date(),
  });
  const { token, session } = await deps.sessions.start(user, "cli", {
    deviceName: "test laptop (rack-gateway CLI)",
    ip: "127.0.0.1",
    userAgent: "rack-gateway-cli/test",
  });
  return { email, token, sessionId: session.id, expiresAt: session.expiresAt.toISOString() };
}

/** Writes the config `login` would write: directory 0700, file 0600, `alias` current. */
export function writeSignedInConfig(
  configHome: string,
  gatewayUrl: string,
  racks: Record<string, SignedInPerson>,
  current: string,
): string {
  const directory = join(configHome, "rack-gateway");
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, "config.json");
  const entries = Object.fromEntries(
    Object.entries(racks).map(([alias, person]) => [
      alias,
      {
        gatewayUrl,
        token: person.token,
        sessionId: person.sessionId,
        email: person.email,
        expiresAt: person.expiresAt,
        signedInAt: new Date().toISOString(),
      },
    ]),
  );
  writeFileSync(path, JSON.stringify({ version: 1, current, racks: entries }), { mode: 0o600 });
  return path;
}
