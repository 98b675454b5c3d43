import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { JWTPayload } from "jose";
import type { FakeIssuedCode, FakeOidcUser, FakeReply, FakeTokenRequest } from "./fake-oidc-model.js";
import { FakeOidcModel, jsonReply, randomToken } from "./fake-oidc-model.js";
import { renderErrorPage, renderUserPicker } from "./fake-oidc-pages.js";
import type { TestSigningKey } from "./signing-keys.js";
import { createTestSigningKey, mintIdToken } from "./signing-keys.js";

/** Options of {@link startFakeOidcProvider}. */
export interface FakeOidcProviderOptions {
  /** Host in the issuer URL; the server always binds 127.0.0.1. Default `"127.0.0.1"`. */
  issuerHost?: "127.0.0.1" | "localhost";
  /** Advertise this exact issuer instead of `http://HOST:PORT` (e.g. Google's, behind a rewriting fetch). */
  issuer?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** When set, `redirect_uri` must be one of these exactly; otherwise any http(s) URL is accepted. */
  redirectUris?: readonly string[];
  users: readonly FakeOidcUser[];
  /** Email of the user the authorize endpoint signs in at once; `null` (default) shows the picker page. */
  autoSelect?: string | null;
  /** Default `() => new Date()`. */
  now?: () => Date;
  /** Default 60. */
  codeLifetimeSeconds?: number;
  /** ID and access token lifetime. Default 3600. */
  idTokenLifetimeSeconds?: number;
}

/** A running fake OpenID Provider on loopback. */
export interface FakeOidcProvider {
  /** The advertised issuer, `http://127.0.0.1:PORT` unless `issuer` was given. */
  readonly issuer: string;
  /** Where the server listens, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly endpoints: {
    discovery: string;
    authorization: string;
    token: string;
    jwks: string;
    userinfo: string;
  };
  /** Every authorization code issued, oldest first. */
  readonly issuedCodes: readonly FakeIssuedCode[];
  /** Every token endpoint call and its outcome, oldest first. */
  readonly tokenRequests: readonly FakeTokenRequest[];
  /** The key signing new ID tokens (published in the JWKS). */
  readonly signingKey: TestSigningKey;
  setAutoSelect(email: string | null): void;
  /** Starts signing with a new RS256 key; the JWKS then lists the new key and the previous one. Returns the new kid. */
  rotateKeys(): Promise<string>;
  /** Claims of a valid ID token for the user with `email` (throws if unknown); tweak them for threat tests. */
  createIdTokenClaims(email: string, options?: { nonce?: string; audience?: string }): JWTPayload;
  /** Signs `claims` with the provider's current key, or `key`. */
  mintIdToken(claims: JWTPayload, options?: { key?: TestSigningKey }): Promise<string>;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string;
  scope: string;
}

const MAX_FORM_BYTES = 64 * 1024;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new RangeError("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hash === "";
  } catch {
    return false;
  }
}

function redirectTo(target: string, params: Record<string, string | null>, status = 302): FakeReply {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return { status, headers: { location: url.toString(), "cache-control": "no-store" }, body: "" };
}

function htmlReply(status: number, body: string): FakeReply {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    body,
  };
}

/**
 * Starts a fake OpenID Provider on 127.0.0.1 for tests and `pnpm demo`: discovery, an RS256 JWKS, an
 * authorize endpoint (auto-select or an HTML account picker), a token endpoint enforcing client auth,
 * single-use codes, exact redirect URI and PKCE S256, and userinfo. Never a production path.
 */
export async function startFakeOidcProvider(options: FakeOidcProviderOptions): Promise<FakeOidcProvider> {
  const now = options.now ?? (() => new Date());
  let autoSelect = options.autoSelect ?? null;
  const pending = new Map<string, PendingAuthorization>();
  const sockets = new Set<Socket>();

  // Requests arriving before `state` exists (port not yet handed out) fail in `handle` and get a 400.
  const server = createServer((request, response) => {
    handle(request)
      .catch((error: unknown) =>
        jsonReply(400, {
          error: "invalid_request",
          error_description: String((error as Error).message ?? error),
        }),
      )
      .then((reply) => write(response, reply));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const issuer = options.issuer ?? `http://${options.issuerHost ?? "127.0.0.1"}:${port}`;
  const base = options.issuer === undefined ? issuer : url;
  const endpoints = {
    discovery: `${base}/.well-known/openid-configuration`,
    authorization: `${base}/authorize`,
    token: `${base}/token`,
    jwks: `${base}/jwks`,
    userinfo: `${base}/userinfo`,
  };
  const state = new FakeOidcModel(
    {
      issuer,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      now,
      codeLifetimeSeconds: options.codeLifetimeSeconds ?? 60,
      idTokenLifetimeSeconds: options.idTokenLifetimeSeconds ?? 3600,
    },
    options.users,
    await createTestSigningKey(),
  );

  function write(response: ServerResponse, reply: FakeReply): void {
    response.writeHead(reply.status, reply.headers);
    response.end(reply.body);
  }

  function completeAuthorization(request: PendingAuthorization, email: string): FakeReply {
    const user = state.findUser(email);
    if (user === undefined) {
      return redirectTo(request.redirectUri, { error: "access_denied", state: request.state, iss: issuer });
    }
    const issued = state.issueCode(
      {
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        nonce: request.nonce,
        codeChallenge: request.codeChallenge,
        scope: request.scope,
      },
      user,
    );
    // RFC 9207: `iss` in the response lets the client detect a mix-up between providers.
    return redirectTo(request.redirectUri, { code: issued.code, state: request.state, iss: issuer }, 303);
  }

  function authorize(params: URLSearchParams): FakeReply {
    const clientId = params.get("client_id");
    const redirectUri = params.get("redirect_uri");
    if (clientId !== options.clientId) return htmlReply(400, renderErrorPage("unknown client_id"));
    if (redirectUri === null || !isHttpUrl(redirectUri)) {
      return htmlReply(400, renderErrorPage("redirect_uri is missing or not an absolute http(s) URL"));
    }
    if (options.redirectUris !== undefined && !options.redirectUris.includes(redirectUri)) {
      return htmlReply(400, renderErrorPage("redirect_uri is not registered for this client"));
    }
    const stateParam = params.get("state");
    const fail = (error: string, description: string) =>
      redirectTo(redirectUri, { error, error_description: description, state: stateParam, iss: issuer });
    if (params.get("response_type") !== "code") return fail("unsupported_response_type", "only code");
    const scope = params.get("scope") ?? "";
    if (!scope.split(" ").includes("openid")) return fail("invalid_scope", "scope must include openid");
    const challenge = params.get("code_challenge");
    if (
      params.get("code_challenge_method") !== "S256" ||
      challenge === null ||
      !/^[\w-]{43}$/.test(challenge)
    ) {
      return fail("invalid_request", "PKCE with code_challenge_method=S256 is required");
    }
    const request: PendingAuthorization = {
      clientId,
      redirectUri,
      state: stateParam,
      nonce: params.get("nonce"),
      codeChallenge: challenge,
      scope,
    };
    if (autoSelect !== null) return completeAuthorization(request, autoSelect);
    const requestId = randomToken();
    pending.set(requestId, request);
    return htmlReply(200, renderUserPicker(requestId, clientId, state.users));
  }

  async function handle(request: IncomingMessage): Promise<FakeReply> {
    const target = new URL(request.url ?? "/", url);
    const route = `${request.method} ${target.pathname}`;
    const authorization = request.headers.authorization;
    switch (route) {
      case "GET /.well-known/openid-configuration":
        return jsonReply(200, {
          issuer,
          authorization_endpoint: endpoints.authorization,
          token_endpoint: endpoints.token,
          userinfo_endpoint: endpoints.userinfo,
          jwks_uri: endpoints.jwks,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          scopes_supported: ["openid", "email", "profile"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
          grant_types_supported: ["authorization_code"],
          code_challenge_methods_supported: ["S256"],
          claims_supported: [
            "iss",
            "aud",
            "sub",
            "iat",
            "exp",
            "nonce",
            "email",
            "email_verified",
            "name",
            "hd",
          ],
          authorization_response_iss_parameter_supported: true,
        });
      case "GET /jwks":
        return jsonReply(200, state.jwks(), { "cache-control": "public, max-age=300" });
      case "GET /authorize":
        return authorize(target.searchParams);
      case "POST /authorize/select": {
        const form = new URLSearchParams(await readBody(request));
        const requestId = form.get("request") ?? "";
        const found = pending.get(requestId);
        if (found === undefined)
          return htmlReply(400, renderErrorPage("this sign-in request expired; start again"));
        pending.delete(requestId);
        return completeAuthorization(found, form.get("email") ?? "");
      }
      case "POST /token": {
        const type = request.headers["content-type"] ?? "";
        if (!type.startsWith("application/x-www-form-urlencoded")) {
          return jsonReply(400, {
            error: "invalid_request",
            error_description: "form-encoded body required",
          });
        }
        return state.redeemCode(new URLSearchParams(await readBody(request)), authorization);
      }
      case "GET /userinfo":
      case "POST /userinfo":
        return state.userinfo(authorization);
      default:
        return jsonReply(404, { error: "not_found" });
    }
  }

  return {
    issuer,
    url,
    endpoints,
    issuedCodes: state.issuedCodes,
    tokenRequests: state.tokenRequests,
    get signingKey() {
      return state.signingKey;
    },
    setAutoSelect(email) {
      autoSelect = email;
    },
    async rotateKeys() {
      const next = await createTestSigningKey();
      state.previousKey = state.signingKey;
      state.signingKey = next;
      return next.kid;
    },
    createIdTokenClaims(email, claimOptions = {}) {
      const user = state.findUser(email);
      if (user === undefined) throw new RangeError(`no fake user with email ${email}`);
      return state.createClaims(user, claimOptions);
    },
    mintIdToken(claims, mintOptions = {}) {
      return mintIdToken(claims, mintOptions.key ?? state.signingKey);
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
