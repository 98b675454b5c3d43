/**
 * API tokens for CI and automation: list (never the token or its hash), create (the token is in that one
 * response only) and revoke. A token never grants more than its creator holds (`grantsWithin`) — checked here
 * at creation, and on every use against the person's current grants (auth/authenticate.ts). A token made with a
 * token belongs to the same person and never outlives its parent.
 */
import { type Grant, grantsWithin, validateGrants } from "@rack-gateway/rbac";
import { Hono } from "hono";
import { z } from "zod";
import type { GatewayDeps } from "../deps.js";
import { GatewayError } from "../http/errors.js";
import type { AppEnv } from "../http/identity.js";
import type { ApiTokenRecord } from "../stores/types.js";
import {
  capExpiry,
  creatorThroughToken,
  describeApiToken,
  issueApiToken,
  listedTokenStatus,
  revokeApiToken,
  TOKEN_NAME_PATTERN,
  type TokenCreator,
} from "../tokens/api-tokens.js";
import { durableAudit } from "./durable-audit.js";
import { requireIdentity } from "./me-routes.js";
import { readJsonBody } from "./request-body.js";

const DAY_MS = 86_400_000;

const newTokenBody = z.strictObject({
  name: z.string().regex(TOKEN_NAME_PATTERN, "1-100 letters, digits, spaces and _ . @ : / -"),
  grants: z.array(z.unknown()).min(1, "give at least one grant").max(50),
  /** Omit for a token that never expires (rotate it by hand), or, made with a token, that expires with it. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export function tokensRoutes(deps: GatewayDeps) {
  const app = new Hono<AppEnv>();
  const audit = durableAudit(deps.audit);

  app.get("/api/v1/tokens", async (c) => {
    const now = deps.now();
    const tokens = await deps.stores.tokens.list();
    const suspensionOf = (token: ApiTokenRecord) => deps.authenticator.suspensionOf(token);
    return c.json({
      tokens: await Promise.all(
        tokens.map(async (token) =>
          describeApiToken(token, now, await listedTokenStatus(token, now, suspensionOf)),
        ),
      ),
    });
  });

  app.post("/api/v1/tokens", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const body = await readJsonBody(
      c,
      newTokenBody,
      'send JSON { name, grants: [{ role: "cicd", apps?: [...] }], expiresInDays? }',
    );
    const problem = validateGrants(body.grants, { kind: "token" });
    if (problem) throw new GatewayError(400, "BAD_REQUEST", problem);
    const grants = body.grants as Grant[];
    const allowRackJwt = (await deps.settings.get("allow_rack_jwt")).value;
    const within = grantsWithin(grants, identity.principal.grants, { allowRackJwt });
    if (!within.ok) {
      throw new GatewayError(
        403,
        "FORBIDDEN",
        `forbidden: a token never grants more than you hold: ${within.reason}`,
      );
    }
    const now = deps.now();
    const parent = identity.kind === "api-token" ? identity.token : null;
    const creator: TokenCreator =
      identity.kind === "api-token"
        ? creatorThroughToken(identity.token)
        : { name: identity.user.email, userId: identity.user.id, tokenId: null };
    const requestedExpiry =
      body.expiresInDays === undefined ? null : new Date(now.getTime() + body.expiresInDays * DAY_MS);
    const { token, record } = await issueApiToken(
      {
        tokens: deps.stores.tokens,
        audit,
        now: () => now,
        random: deps.random,
        actor: identity.actor,
        requestId: c.get("requestId"),
      },
      {
        name: body.name,
        creator,
        grants,
        expiresAt: capExpiry(requestedExpiry, parent),
        reason: "API token created through the admin API",
      },
    );
    // The only time the token is ever shown.
    return c.json({ token, apiToken: describeApiToken(record, now) }, 201);
  });

  app.delete("/api/v1/tokens/:token", async (c) => {
    const identity = requireIdentity(c.get("identity"));
    const id = c.req.param("token");
    const existing = await deps.stores.tokens.findById(id);
    if (!existing) throw new GatewayError(404, "NOT_FOUND", `no API token ${id}`);
    // As with people: a token holding more than the caller is theirs to revoke only if they hold all of it (someone
    // who may manage tokens must not be able to cut off an admin's automation).
    const allowRackJwt = (await deps.settings.get("allow_rack_jwt")).value;
    const within = grantsWithin(existing.grants, identity.principal.grants, { allowRackJwt });
    if (!within.ok) {
      throw new GatewayError(
        403,
        "FORBIDDEN",
        `forbidden: API token ${existing.id} holds more than you do: ${within.reason}`,
      );
    }
    const revoked = await revokeApiToken(
      {
        tokens: deps.stores.tokens,
        audit,
        now: deps.now,
        actor: identity.actor,
        requestId: c.get("requestId"),
      },
      existing.id,
      "API token revoked through the admin API",
    );
    return c.json({ revoked: revoked !== null });
  });

  return app;
}
