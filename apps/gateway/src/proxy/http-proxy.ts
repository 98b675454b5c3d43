/**
 * The HTTP half of the rack proxy. It works on raw Node streams (below Hono) so that tarball uploads and log
 * downloads stream without buffering, and so that the bytes of the path the rack sees are exactly the
 * normalised path that was authorized.
 *
 * Audit: a read is recorded once, when it completes. A mutating call is recorded *before* it is forwarded
 * (`rack.request.intent`, durably — fail closed) and again when it completes (`rack.request`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { AuditEvent, JsonValue } from "@rack-gateway/audit-chain";
import { authorize, type RouteMatch } from "@rack-gateway/rbac";
import { REDACTED, type RedactionRules } from "@rack-gateway/redaction";
import type { AuditLog } from "../audit/audit-log.js";
import type { Authenticated } from "../auth/authenticate.js";
import { GatewayError, sendError, toGatewayError } from "../http/errors.js";
import { type ConcurrencyLimiter, createSemaphore, takeCallSlot } from "./concurrency.js";
import { pipeScrubbed, rackCredentialPatterns, scrubInPlace } from "./credential-scrubber.js";
import { type EnvVisibility, envChangeRefusal, formatEnvList, mergeEnv, parseEnvList } from "./env-policy.js";
import {
  assertBuildParameters,
  assertImportAllowed,
  assertInspectableParameters,
  INSPECTED_ROUTES,
} from "./parameter-policy.js";
import { type RackCallContext, type RackCallDeps, rackCallEvent, resolveRackCall } from "./rack-call.js";
import {
  forwardableRequestHeaders,
  type RackForwarder,
  READ_METHODS,
  responseHeaderList,
} from "./rack-forwarder.js";
import { isReleaseRoute, responseMaskingFor } from "./response-masking.js";

export interface HttpProxyDeps extends RackCallDeps {
  readonly forwarder: RackForwarder;
  /** Calls in flight per identity (shared with the websocket proxy). */
  readonly concurrency: ConcurrencyLimiter;
  readonly audit: AuditLog;
  readonly redaction: RedactionRules;
  readonly responseHeaders: Record<string, string>;
  readonly logError: (message: string, error: unknown) => void;
}

const MAX_FORM_BYTES = 1024 * 1024;
const MAX_MASKED_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Answers buffered for masking at once (at most MASKING_SLOTS × MAX_MASKED_RESPONSE_BYTES of memory). */
const MASKING_SLOTS = 4;
/** Convox CLI option headers worth recording (values are redacted like every parameter). */
const OPTION_HEADERS = [
  "command",
  "entrypoint",
  "environment",
  "follow",
  "height",
  "prefix",
  "release",
  "since",
  "tail",
  "tty",
  "width",
];
const REVEAL_HEADER = "rack-gateway-reveal-secrets";

/** The request target below the proxy prefix: `/api/v1/rack-proxy/apps?` → `/apps?`. */
export function targetBelowPrefix(url: string, prefix: string): string {
  const rest = url.slice(prefix.length);
  return rest === "" || rest.startsWith("?") ? `/${rest}` : rest;
}

function queryOf(target: string): string {
  const index = target.indexOf("?");
  return index < 0 ? "" : target.slice(index + 1);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit)
    throw new GatewayError(413, "PAYLOAD_TOO_LARGE", `form bodies are limited to ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new GatewayError(413, "PAYLOAD_TOO_LARGE", `form bodies are limited to ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function collectParams(
  target: string,
  form: URLSearchParams | null,
  req: IncomingMessage,
): Record<string, JsonValue> {
  const params: Record<string, JsonValue> = {};
  for (const [name, value] of new URLSearchParams(queryOf(target))) params[`query.${name}`] = value;
  if (form) for (const [name, value] of form) params[`form.${name}`] = value;
  for (const name of OPTION_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string") params[`header.${name}`] = value;
  }
  return params;
}

export function createHttpProxy(deps: HttpProxyDeps) {
  // The gateway's own response headers win over the rack's (Node would send both when only the case differs).
  const gatewayHeaderPairs = Object.entries(deps.responseHeaders).flat();
  const gatewayHeaderNames = [...Object.keys(deps.responseHeaders), "X-Request-Id"].map((n) =>
    n.toLowerCase(),
  );
  const replacedWhenStreamed = new Set(gatewayHeaderNames);
  // A masked release document has its own length.
  const replacedWhenMasked = new Set([...gatewayHeaderNames, "content-length"]);
  const withApp = (match: RouteMatch) => (match.app === undefined ? {} : { app: match.app });
  const credentialPatterns = rackCredentialPatterns(deps.forwarder.target.token);
  const maskingSlots = createSemaphore(MASKING_SLOTS);

  /** Env visibility for this principal on this app (CONVOX-API.md "Env values and secrets"). */
  const envVisibility = (
    identity: Authenticated,
    match: RouteMatch,
    revealRequested: boolean,
  ): EnvVisibility => {
    if (revealRequested && authorize(identity.principal, "convox:secret:read", withApp(match)).allowed) {
      return "secrets-revealed";
    }
    return authorize(identity.principal, "convox:env:read", withApp(match)).allowed
      ? "plain-values"
      : "masked";
  };

  /**
   * `POST /apps/{app}/releases` with `env=`: merge with the current env, enforce env:set / secret:set /
   * protected keys, and return the per-key audit events plus the rewritten form.
   */
  const applyEnvPolicy = async (
    context: RackCallContext,
    identity: Authenticated,
    match: RouteMatch,
    form: URLSearchParams,
  ): Promise<{ form: URLSearchParams; events: AuditEvent[] }> => {
    const submitted = form.get("env");
    if (submitted === null) return { form, events: [] };
    const app = encodeURIComponent(match.app ?? "");
    // The base is the latest release, not the promoted one: that is what `convox env set` read and masked, so
    // a masked value keeps exactly the value the client saw (and a newer unpromoted secret is never reverted).
    const latest = (await deps.forwarder.getJson(`/apps/${app}/releases?limit=1`)) as unknown;
    const env = Array.isArray(latest) ? (latest[0] as { env?: unknown } | undefined)?.env : undefined;
    const current = typeof env === "string" ? parseEnvList(env) : [];
    const { merged, changes } = mergeEnv(current, parseEnvList(submitted), deps.redaction);
    const refusal =
      changes.length > 0 &&
      envChangeRefusal(
        changes,
        (permission) => authorize(identity.principal, permission, withApp(match)),
        "this env change",
      );
    if (refusal) throw refusal.error;
    const events = changes.map((change) =>
      rackCallEvent(context, deps.redaction, {
        action: change.kind === "removed" ? "rack.env.unset" : "rack.env.set",
        actor: identity.actor,
        decision: "allow",
        reason: `env ${change.key} ${change.kind}`,
        match,
        detail: {
          variable: change.key,
          change: change.kind,
          classification: change.classification,
          ...(change.value === undefined
            ? {}
            : { value: change.classification === "plain" ? change.value : REDACTED }),
        },
      }),
    );
    const rewritten = new URLSearchParams(form);
    rewritten.set("env", formatEnvList(merged));
    return { form: rewritten, events };
  };

  return async function handleHttp(
    req: IncomingMessage,
    res: ServerResponse,
    context: RackCallContext,
  ): Promise<void> {
    // Only the gateway's own answers and errors need these as an object; the streaming path uses the flat list.
    const headers = () => ({ ...deps.responseHeaders, "X-Request-Id": context.requestId });
    const resolution = await resolveRackCall(context, req.headers, deps);

    if (resolution.kind === "check") {
      res.writeHead(200, { ...headers(), "Content-Type": "text/plain" }).end("ok");
      req.resume();
      return;
    }
    if (resolution.kind === "denied") {
      deps.audit.record(resolution.event);
      req.resume();
      sendError(res, resolution.error, headers());
      return;
    }
    const { identity, match } = resolution;
    const finish = (
      status: number,
      decision: AuditEvent["decision"],
      reason: string,
      extra: { params?: Record<string, JsonValue>; detail?: Record<string, JsonValue> } = {},
    ) =>
      deps.audit.record(
        rackCallEvent(context, deps.redaction, {
          action: "rack.request",
          actor: identity.actor,
          decision,
          reason,
          match,
          status,
          latencyMs: performance.now() - context.startedAt,
          ...extra,
        }),
      );

    if (resolution.kind === "answer") {
      req.resume();
      if (resolution.answer === "auth") {
        // `convox login` reads an id from /auth; the token's name tells the person which identity they hold.
        const body = JSON.stringify({ id: identity.principal.name });
        res.writeHead(200, { ...headers(), "Content-Type": "application/json" }).end(body);
        finish(200, "allow", "credentials verified (answered by the gateway)");
      } else {
        // The CLI probes /machines or /racks before every websocket and ignores the answer; a rack says 404.
        sendError(res, new GatewayError(404, "NOT_FOUND", "not found"), headers());
        finish(404, "allow", "CLI probe answered by the gateway");
      }
      return;
    }

    const method = context.method;
    const mutating = !READ_METHODS.has(method);
    let params: Record<string, JsonValue> = {};
    // Released when this call ends however it ends (answered, refused, cut), see the finally below.
    const slot = takeCallSlot(deps.concurrency, identity.principal);
    const releaseSlot = slot instanceof GatewayError ? null : slot;
    // Listened for from the start: a client may leave while the call waits for the audit or the rack, and a 'close'
    // that already happened would never be heard again (the call, its slot and its rack connection would hang on).
    const clientGone = new Promise<void>((resolve) => res.once("close", () => resolve()));
    try {
      if (slot instanceof GatewayError) throw slot;
      if (!deps.audit.isHealthy()) {
        throw new GatewayError(
          503,
          "AUDIT_UNAVAILABLE",
          "the audit log cannot be written; the gateway refuses rack calls until it can",
        );
      }
      const contentType = String(req.headers["content-type"] ?? "")
        .split(";")[0]
        ?.trim()
        .toLowerCase();
      let body: Buffer | IncomingMessage | null = req;
      let form: URLSearchParams | null = null;
      const extraEvents: AuditEvent[] = [];
      const route = `${method} ${match.route.path}`;
      const createsRelease = route === "POST /apps/{app}/releases";
      if (INSPECTED_ROUTES.has(route))
        assertInspectableParameters(req, route, queryOf(context.target), contentType);
      assertImportAllowed(identity.principal, match);
      if (contentType === "application/x-www-form-urlencoded") {
        const raw = await readBody(req, MAX_FORM_BYTES);
        form = new URLSearchParams(raw.toString("utf8"));
        // A read's form is recorded (its parameters are audited) but not forwarded: reads carry no body.
        body = mutating ? raw : null;
        if (createsRelease) {
          const policy = await applyEnvPolicy(context, identity, match, form);
          extraEvents.push(...policy.events);
          form = policy.form;
        }
        if (INSPECTED_ROUTES.has(route)) {
          // Always the gateway's own serialization of what it checked: the rack's form parser and ours disagree
          // on malformed escapes, so the raw bytes could say something the policy never saw.
          body = Buffer.from(form.toString(), "utf8");
        }
      } else if (!mutating) {
        // A read carries no body to the rack (the forwarder also drops the client's Content-Length).
        body = null;
        req.resume();
      }
      if (route === "POST /apps/{app}/builds" || route === "PUT /apps/{app}/builds/{id}")
        assertBuildParameters(form, match.app);
      params = collectParams(context.target, form, req);
      const revealRequested = req.headers[REVEAL_HEADER] === "true";
      const visibility = isReleaseRoute(match) ? envVisibility(identity, match, revealRequested) : null;
      if (visibility === "secrets-revealed") {
        extraEvents.push(
          rackCallEvent(context, deps.redaction, {
            action: "rack.secret.reveal",
            actor: identity.actor,
            decision: "allow",
            reason: "secret env values revealed on request",
            match,
          }),
        );
      }

      if (mutating || extraEvents.length > 0) {
        const intent = rackCallEvent(context, deps.redaction, {
          action: "rack.request.intent",
          actor: identity.actor,
          decision: "allow",
          reason: resolution.decision.reason,
          match,
          params,
        });
        try {
          // Fail closed: nothing reaches the rack until its audit records are committed.
          await Promise.all([intent, ...extraEvents].map((event) => deps.audit.recordDurably(event)));
        } catch (error) {
          throw new GatewayError(
            503,
            "AUDIT_UNAVAILABLE",
            "the audit log cannot be written; the request was not forwarded",
            { cause: error },
          );
        }
      }

      const outgoingHeaders = forwardableRequestHeaders(req.headers);
      outgoingHeaders["x-convox-actor"] =
        identity.actor.email ?? identity.actor.name ?? identity.principal.name;
      const query = queryOf(context.target);
      const upstream = await deps.forwarder.send({
        method,
        path: query ? `${match.path}?${query}` : match.path,
        headers: outgoingHeaders,
        body,
      });
      const status = upstream.statusCode ?? 502;
      if (res.closed || res.destroyed) {
        // The client left while the rack was answering: nobody to answer, so the rack's answer is dropped.
        upstream.destroy();
        finish(status, "allow", resolution.decision.reason, {
          params,
          detail: { interrupted: true, clientLeft: "before the rack answered" },
        });
        return;
      }
      // Occurrences of the rack's own password overwritten in this answer (see credential-scrubber.ts).
      let scrubbed = 0;
      const noteScrubbed = (occurrences: number) => {
        if (scrubbed === 0) {
          deps.logError(
            "the rack's answer contained the rack's own credentials; they were overwritten",
            new Error(`${method} ${match.route.path}`),
          );
        }
        scrubbed += occurrences;
      };
      const scrubDetail = () => (scrubbed > 0 ? { rackLoginEchoesOverwritten: scrubbed } : {});
      const masking = responseMaskingFor(match, identity.principal, deps.redaction, visibility);
      if (
        masking !== null &&
        status < 300 &&
        String(upstream.headers["content-type"] ?? "").includes("json")
      ) {
        const chunks: Buffer[] = [];
        let size = 0;
        // A bounded number of answers are held in memory at once; the others wait, unread, at the rack's pace.
        const releaseMaskingSlot = await maskingSlots.acquire();
        try {
          for await (const chunk of upstream) {
            size += (chunk as Buffer).length;
            if (size > MAX_MASKED_RESPONSE_BYTES)
              throw new GatewayError(502, "RACK_UNAVAILABLE", "the rack's answer is too large to mask");
            chunks.push(chunk as Buffer);
          }
        } finally {
          releaseMaskingSlot();
        }
        // Fail closed on masking too: a body we cannot parse is not passed through unmasked.
        let masked: Buffer;
        try {
          masked = Buffer.from(
            JSON.stringify(masking.mask(JSON.parse(Buffer.concat(chunks).toString("utf8")))),
            "utf8",
          );
        } catch (error) {
          throw new GatewayError(
            502,
            "RACK_UNAVAILABLE",
            "the rack sent a document that could not be masked",
            {
              cause: error,
            },
          );
        }
        const found = scrubInPlace(masked, credentialPatterns);
        if (found > 0) noteScrubbed(found);
        res
          .writeHead(
            status,
            responseHeaderList(upstream.rawHeaders, replacedWhenMasked, [
              ...gatewayHeaderPairs,
              "X-Request-Id",
              context.requestId,
              "Content-Length",
              String(masked.length),
            ]),
          )
          .end(masked);
        finish(status, "allow", resolution.decision.reason, {
          params,
          detail: { ...masking.detail, ...scrubDetail() },
        });
        return;
      }

      res.writeHead(
        status,
        responseHeaderList(upstream.rawHeaders, replacedWhenStreamed, [
          ...gatewayHeaderPairs,
          "X-Request-Id",
          context.requestId,
        ]),
      );
      // A rack that dies mid-response must not leave the client waiting: cut the client's response too.
      upstream.on("error", () => res.destroy());
      upstream.on("aborted", () => res.destroy());
      if (credentialPatterns.length > 0) pipeScrubbed(upstream, res, credentialPatterns, noteScrubbed);
      else upstream.pipe(res);
      await clientGone;
      if (!upstream.complete) upstream.destroy();
      const detail = { ...(res.writableFinished ? {} : { interrupted: true }), ...scrubDetail() };
      finish(status, "allow", resolution.decision.reason, {
        params,
        ...(Object.keys(detail).length > 0 ? { detail } : {}),
      });
    } catch (caught) {
      const error = toGatewayError(caught);
      if (error.status >= 500 && error.code === "INTERNAL") deps.logError("rack proxy failure", caught);
      req.resume();
      sendError(res, error, headers());
      finish(error.status, error.status < 500 ? "deny" : "error", error.message, { params });
    } finally {
      releaseSlot?.();
    }
  };
}
