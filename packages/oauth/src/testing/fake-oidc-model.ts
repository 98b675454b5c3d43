import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { JWTPayload } from "jose";
import type { TestSigningKey } from "./signing-keys.js";
import { mintIdToken } from "./signing-keys.js";

/** A person the fake provider can sign in. */
export interface FakeOidcUser {
  sub: string;
  email: string;
  name: string;
  /** Default `true`. */
  emailVerified?: boolean;
  /** Google Workspace hosted domain; omitted from tokens when unset. */
  hd?: string;
}

/** One authorization code as issued, for assertions. */
export interface FakeIssuedCode {
  code: string;
  clientId: string;
  redirectUri: string;
  sub: string;
  email: string;
  nonce: string | null;
  codeChallenge: string;
  scope: string;
  issuedAt: Date;
  /** Set on the first redemption attempt, successful or not: a code is good for one try. */
  redeemed: boolean;
}

/** One call to the token endpoint and what the fake answered. */
export interface FakeTokenRequest {
  authMethod: "client_secret_basic" | "client_secret_post" | "none";
  /** `"issued"` or the OAuth error code returned (`invalid_grant`, `invalid_client`, …). */
  outcome: string;
}

/** An HTTP answer from the model, written out by the server. */
export interface FakeReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): FakeReply {
  return {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(value),
  };
}

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

function equalSecrets(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right) && a === b;
}

interface ModelConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  now: () => Date;
  codeLifetimeSeconds: number;
  idTokenLifetimeSeconds: number;
}

/** The fake provider's state and token-endpoint rules, apart from HTTP plumbing. */
export class FakeOidcModel {
  readonly issuedCodes: FakeIssuedCode[] = [];
  readonly tokenRequests: FakeTokenRequest[] = [];
  readonly accessTokens = new Map<string, FakeOidcUser>();
  signingKey: TestSigningKey;
  previousKey: TestSigningKey | null = null;

  constructor(
    readonly config: ModelConfig,
    readonly users: readonly FakeOidcUser[],
    signingKey: TestSigningKey,
  ) {
    this.signingKey = signingKey;
  }

  findUser(email: string): FakeOidcUser | undefined {
    const wanted = email.toLowerCase();
    return this.users.find((user) => user.email.toLowerCase() === wanted);
  }

  issueCode(
    input: Omit<FakeIssuedCode, "code" | "issuedAt" | "redeemed" | "sub" | "email">,
    user: FakeOidcUser,
  ) {
    const issued: FakeIssuedCode = {
      ...input,
      code: randomToken(),
      sub: user.sub,
      email: user.email,
      issuedAt: this.config.now(),
      redeemed: false,
    };
    this.issuedCodes.push(issued);
    return issued;
  }

  /** Claims of a valid ID token for `user`, as the token endpoint issues them. */
  createClaims(user: FakeOidcUser, options: { nonce?: string | null; audience?: string } = {}): JWTPayload {
    const iat = Math.floor(this.config.now().getTime() / 1000);
    return {
      iss: this.config.issuer,
      aud: options.audience ?? this.config.clientId,
      sub: user.sub,
      email: user.email,
      email_verified: user.emailVerified ?? true,
      name: user.name,
      ...(user.hd === undefined ? {} : { hd: user.hd }),
      ...(options.nonce ? { nonce: options.nonce } : {}),
      iat,
      exp: iat + this.config.idTokenLifetimeSeconds,
    };
  }

  jwks(): { keys: unknown[] } {
    const keys = [this.signingKey.publicJwk];
    if (this.previousKey) keys.push(this.previousKey.publicJwk);
    return { keys };
  }

  private refuse(
    authMethod: FakeTokenRequest["authMethod"],
    status: number,
    error: string,
    description: string,
  ) {
    this.tokenRequests.push({ authMethod, outcome: error });
    const headers: Record<string, string> =
      status === 401 && authMethod === "client_secret_basic"
        ? { "www-authenticate": 'Basic realm="fake-oidc"' }
        : {};
    return jsonReply(status, { error, error_description: description }, headers);
  }

  /** RFC 6749 §4.1.3 + RFC 7636 §4.6: client auth, single-use unexpired code, exact redirect URI, PKCE S256. */
  async redeemCode(form: URLSearchParams, authorization: string | undefined): Promise<FakeReply> {
    let authMethod: FakeTokenRequest["authMethod"] = "none";
    let clientId: string | null = null;
    let clientSecret: string | null = null;
    if (authorization?.toLowerCase().startsWith("basic ")) {
      authMethod = "client_secret_basic";
      const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0) {
        // RFC 6749 §2.3.1: both parts are form-urlencoded inside the Basic credentials.
        const decode = (part: string) => new URLSearchParams(`v=${part}`).get("v") ?? "";
        clientId = decode(decoded.slice(0, colon));
        clientSecret = decode(decoded.slice(colon + 1));
      }
      if (form.has("client_secret")) {
        return this.refuse(
          authMethod,
          400,
          "invalid_request",
          "use one client authentication method, not two",
        );
      }
      if (form.has("client_id") && form.get("client_id") !== clientId) {
        return this.refuse(
          authMethod,
          400,
          "invalid_request",
          "client_id differs from the Basic credentials",
        );
      }
    } else if (form.has("client_secret")) {
      authMethod = "client_secret_post";
      clientId = form.get("client_id");
      clientSecret = form.get("client_secret");
    }
    if (
      clientId === null ||
      clientSecret === null ||
      !equalSecrets(clientId, this.config.clientId) ||
      !equalSecrets(clientSecret, this.config.clientSecret)
    ) {
      return this.refuse(authMethod, 401, "invalid_client", "client authentication failed");
    }
    if (form.get("grant_type") !== "authorization_code") {
      return this.refuse(authMethod, 400, "unsupported_grant_type", "only authorization_code is supported");
    }
    const issued = this.issuedCodes.find((entry) => entry.code === form.get("code"));
    if (issued === undefined) return this.refuse(authMethod, 400, "invalid_grant", "unknown code");
    if (issued.redeemed) return this.refuse(authMethod, 400, "invalid_grant", "code already used");
    issued.redeemed = true;
    const ageMs = this.config.now().getTime() - issued.issuedAt.getTime();
    if (ageMs > this.config.codeLifetimeSeconds * 1000) {
      return this.refuse(authMethod, 400, "invalid_grant", "code expired");
    }
    if (issued.clientId !== clientId) {
      return this.refuse(authMethod, 400, "invalid_grant", "code was issued to another client");
    }
    if (form.get("redirect_uri") !== issued.redirectUri) {
      return this.refuse(
        authMethod,
        400,
        "invalid_grant",
        "redirect_uri differs from the authorization request",
      );
    }
    const verifier = form.get("code_verifier");
    if (verifier === null || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
      return this.refuse(authMethod, 400, "invalid_grant", "code_verifier missing or malformed");
    }
    const challenge = createHash("sha256").update(verifier, "ascii").digest("base64url");
    if (!equalSecrets(challenge, issued.codeChallenge)) {
      return this.refuse(authMethod, 400, "invalid_grant", "code_verifier does not match code_challenge");
    }
    const user = this.findUser(issued.email);
    if (user === undefined) return this.refuse(authMethod, 400, "invalid_grant", "user no longer exists");
    const idToken = await mintIdToken(this.createClaims(user, { nonce: issued.nonce }), this.signingKey);
    const accessToken = randomToken();
    this.accessTokens.set(accessToken, user);
    this.tokenRequests.push({ authMethod, outcome: "issued" });
    return jsonReply(200, {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: this.config.idTokenLifetimeSeconds,
      scope: issued.scope,
      id_token: idToken,
    });
  }

  userinfo(authorization: string | undefined): FakeReply {
    const token = authorization?.toLowerCase().startsWith("bearer ") ? authorization.slice(7).trim() : "";
    const user = this.accessTokens.get(token);
    if (user === undefined) {
      return jsonReply(
        401,
        { error: "invalid_token" },
        { "www-authenticate": 'Bearer error="invalid_token"' },
      );
    }
    return jsonReply(200, {
      sub: user.sub,
      email: user.email,
      email_verified: user.emailVerified ?? true,
      name: user.name,
      ...(user.hd === undefined ? {} : { hd: user.hd }),
    });
  }
}
