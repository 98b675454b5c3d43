#!/usr/bin/env node
/**
 * @module `rack-gateway-server` — the operator's command (also `pnpm server <subcommand>` from the repo root).
 * Every subcommand reads the same configuration variables as `serve`.
 */
import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import type { AuditActor } from "@rack-gateway/audit-chain";
import { exportPublicKey } from "@rack-gateway/audit-chain";
import { auditVerificationKeysOf, parseExpectedHead, verifyAuditLog } from "../audit/verify-audit.js";
import { createAuthenticator } from "../auth/authenticate.js";
import {
  ConfigError,
  loadConfig,
  loadOperatorConfig,
  type OperatorConfig,
  settingOverridesOf,
} from "../config/config.js";
import { DataDirLockedError } from "../db/data-dir-lock.js";
import { type OpenedDatabase, openDatabase } from "../db/open.js";
import { checkpointSigningKeyOf, createAuditLogFor, defaultLogError, startGateway } from "../main.js";
import { createSettings } from "../settings/settings.js";
import { listedTokenStatus } from "../tokens/api-tokens.js";
import { createTokenCommand, describeGrants, revokeTokenCommand, UsageError } from "./token-commands.js";

const USAGE = `Usage: rack-gateway-server <command>

Commands:
  serve                                   Start the gateway (reads its configuration from the environment)
  migrate                                 Apply database migrations and exit
  tokens create --name N (--role R | --permissions p,q) [--apps a,b] [--expires-in 90d]
                                          Create an API token; prints only the token on stdout (shown once)
  tokens list [--json]                    List API tokens (never the tokens themselves)
  tokens revoke <id>                      Revoke an API token at once
  audit verify [--expect-head SEQ:HASH]   Recompute the whole audit chain and its signed checkpoints; with
                                          --expect-head (seq and hash of the newest shipped stdout line), also
                                          check that the newest records were not cut off or rewritten
  audit tail [-n 20] [--follow]           Print the newest audit events as JSON lines
  audit public-key                        Print the Ed25519 key auditors use to check checkpoints

Exit codes: 0 ok, 1 failure (e.g. a broken audit chain), 2 usage, 75 data directory in use, 78 configuration.`;

const EXIT = { ok: 0, failure: 1, usage: 2, locked: 75, config: 78 } as const;

function operatorActor(): AuditActor {
  let name = "operator";
  try {
    name = `operator:${userInfo().username}`;
  } catch {
    // No passwd entry (e.g. a container's arbitrary uid): stay "operator".
  }
  return { type: "system", id: "operator", name };
}

function openOperatorDatabase(config: OperatorConfig): Promise<OpenedDatabase> {
  return config.database.url
    ? openDatabase({ databaseUrl: config.database.url, maxConnections: 2 })
    : openDatabase({ dataDir: config.database.dataDir });
}

async function withDatabase<T>(
  config: OperatorConfig,
  run: (database: OpenedDatabase) => Promise<T>,
): Promise<T> {
  const database = await openOperatorDatabase(config);
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

async function tokensCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [action, ...rest] = args;
  const config = loadOperatorConfig(env);
  const now = () => new Date();
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      role: { type: "string" },
      permissions: { type: "string" },
      apps: { type: "string" },
      "expires-in": { type: "string" },
      json: { type: "boolean" },
    },
  });
  return withDatabase(config, async (database) => {
    const audit = createAuditLogFor(config, database, { writeLine: null, logError: defaultLogError });
    const deps = {
      tokens: database.stores.tokens,
      audit,
      now,
      actor: operatorActor(),
      requestId: randomUUID(),
    };
    try {
      if (action === "create") {
        const { token, record } = await createTokenCommand(deps, {
          name: values.name ?? "",
          role: values.role,
          permissions: values.permissions,
          apps: values.apps,
          expiresIn: values["expires-in"],
        });
        process.stdout.write(`${token}\n`);
        process.stderr.write(
          `Created API token ${record.id} "${record.name}" (${describeGrants(record.grants)})` +
            `${record.expiresAt ? `, expires ${record.expiresAt.toISOString()}` : ", no expiry"}.\n` +
            "It is shown only once: store it in your CI secrets now.\n",
        );
        return EXIT.ok;
      }
      if (action === "list") {
        const tokens = await database.stores.tokens.list();
        // The same check as on use, so a token refused because of its maker or its person shows as suspended.
        const settings = createSettings({
          store: database.stores.settings,
          overrides: settingOverridesOf(env),
        });
        const authenticator = createAuthenticator({
          tokens: database.stores.tokens,
          users: database.stores.users,
          allowRackJwt: async () => (await settings.get("allow_rack_jwt")).value,
          now,
        });
        const standings = await Promise.all(
          tokens.map((token) => listedTokenStatus(token, now(), (t) => authenticator.suspensionOf(t))),
        );
        if (values.json) {
          process.stdout.write(
            `${JSON.stringify(
              tokens.map(({ tokenHash: _hash, ...rest }, index) => ({ ...rest, ...standings[index] })),
              null,
              2,
            )}\n`,
          );
          return EXIT.ok;
        }
        if (tokens.length === 0)
          process.stderr.write("No API tokens yet. Create one with: tokens create --name N --role R\n");
        for (const [index, token] of tokens.entries()) {
          const standing = standings[index]!;
          const columns = [
            token.id,
            token.displayPrefix,
            standing.suspendedBecause === null ? standing.status : `suspended (${standing.suspendedBecause})`,
            token.name,
            describeGrants(token.grants),
            token.lastUsedAt?.toISOString() ?? "never used",
          ];
          process.stdout.write(`${columns.join("\t")}\n`);
        }
        return EXIT.ok;
      }
      if (action === "revoke") {
        const id = positionals[0];
        if (!id) throw new UsageError("tokens revoke needs the token id (see `tokens list`)");
        const revoked = await revokeTokenCommand(deps, id);
        if (!revoked) {
          process.stderr.write(`No active API token with id ${id}.\n`);
          return EXIT.failure;
        }
        process.stderr.write(`Revoked API token ${id}.\n`);
        return EXIT.ok;
      }
      throw new UsageError(`unknown tokens command ${action ?? "(none)"}: use create, list or revoke`);
    } finally {
      await audit.close();
    }
  });
}

async function auditCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [action, ...rest] = args;
  const config = loadOperatorConfig(env);
  const { values } = parseArgs({
    args: rest,
    options: {
      n: { type: "string", short: "n" },
      follow: { type: "boolean", short: "f" },
      "expect-head": { type: "string" },
    },
  });
  const signingKey = checkpointSigningKeyOf(config);
  if (action === "public-key") {
    process.stdout.write(`${signingKey.keyId} ${exportPublicKey(signingKey, "hex")}\n`);
    return EXIT.ok;
  }
  if (action === "verify") {
    const expectedHead =
      values["expect-head"] === undefined ? undefined : parseExpectedHead(values["expect-head"]);
    if (expectedHead === null) {
      throw new UsageError(
        "--expect-head must be SEQ:HASH, the seq and hash of an audit line shipped from stdout (hash: 64 hex digits)",
      );
    }
    return withDatabase(config, async (database) => {
      const result = await verifyAuditLog(
        database.stores.audit,
        auditVerificationKeysOf(config),
        expectedHead === undefined ? {} : { expectedHead },
      );
      if (result.ok) {
        process.stdout.write(
          `ok: ${result.count} events, chain intact${result.head ? ` (head seq ${result.head.seq}, hash ${result.head.hash})` : ""}, ${result.checkpointsVerified} signed checkpoint(s) verified${expectedHead ? `, expected head seq ${expectedHead.seq} reached unchanged` : ""}\n`,
        );
        return EXIT.ok;
      }
      process.stdout.write(
        `FAILED at index ${result.index}${result.seq === undefined ? "" : ` (seq ${result.seq})`}: ${result.reason.code}: ${result.reason.message}\n`,
      );
      return EXIT.failure;
    });
  }
  if (action === "tail") {
    const count = Number(values.n ?? "20");
    if (!Number.isInteger(count) || count < 1 || count > 10_000)
      throw new UsageError("-n must be a whole number from 1 to 10000");
    return withDatabase(config, async (database) => {
      const store = database.stores.audit;
      const head = await store.head();
      let afterSeq = Math.max(0, (head?.seq ?? 0) - count);
      for (;;) {
        const records = await store.list({ afterSeq, limit: 1000 });
        for (const record of records) {
          process.stdout.write(
            `${JSON.stringify({ seq: record.seq, hash: record.hash, ...record.event })}\n`,
          );
          afterSeq = record.seq;
        }
        if (!values.follow) return EXIT.ok;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
  }
  throw new UsageError(`unknown audit command ${action ?? "(none)"}: use verify, tail or public-key`);
}

async function serveCommand(env: NodeJS.ProcessEnv): Promise<number> {
  const gateway = await startGateway(loadConfig(env));
  process.stderr.write(
    `Rack Gateway listening on ${gateway.url} (rack proxy at ${gateway.url}/api/v1/rack-proxy)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write("Shutting down: finishing in-flight requests and audit writes…\n");
      resolve();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await gateway.close();
  return EXIT.ok;
}

export async function runServerCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        return await serveCommand(env);
      case "migrate":
        await withDatabase(loadOperatorConfig(env), async () => {});
        process.stderr.write("Database migrations are applied.\n");
        return EXIT.ok;
      case "tokens":
        return await tokensCommand(rest, env);
      case "audit":
        return await auditCommand(rest, env);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && error.message.includes("parseArgs")) ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.config;
    }
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.locked;
    }
    defaultLogError(`${command} failed`, error);
    return EXIT.failure;
  }
}
