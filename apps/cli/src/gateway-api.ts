/**
 * Typed client of the gateway's own API (`/api/v1/…`, never the rack proxy). Every error the gateway sends is
 * `{ error, code }` with a stable code; it surfaces as GatewayApiError so commands can say what to do.
 */

/** The gateway answered ≥ 400. `code` is the stable SCREAMING_SNAKE code (or `HTTP_<status>` without one). */
export class GatewayApiError extends Error {
  override readonly name = "GatewayApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The gateway could not be reached (refused, DNS, TLS, reset). */
export class GatewayConnectionError extends Error {
  override readonly name = "GatewayConnectionError";
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach the gateway at ${url}`, { cause });
  }
}

export interface SessionInfo {
  id: string;
  channel: string;
  deviceName: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt: string | null;
  current: boolean;
  idleTimeoutMinutes?: number;
}

export type GrantInfo = { role?: string; permissions?: string[]; apps?: string[] };

export type MeInfo =
  | {
      kind: "user";
      user: { id: string; email: string; name: string | null };
      grants: GrantInfo[];
      session: SessionInfo;
      rack: { alias: string; displayName: string };
    }
  | {
      kind: "api-token";
      token: { id: string; name: string; displayPrefix: string; expiresAt: string | null };
      grants: GrantInfo[];
      rack: { alias: string; displayName: string };
    };

/** What the sign-in exchanges (loopback and device) answer. */
export interface SignedIn {
  token: string;
  session: { id: string; expiresAt: string };
  user: { email: string };
}

export interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

export type DevicePoll =
  | { status: "signed-in"; signedIn: SignedIn }
  | { status: "authorization_pending" | "slow_down" | "access_denied" | "expired_token" };

export interface GatewayApiOptions {
  /** Gateway origin, e.g. `https://gateway.example.com`. */
  url: string;
  /** Session (`rgws_…`) or API token (`rgw_…`); `null` for the sign-in exchanges. */
  token: string | null;
  fetch: typeof fetch;
  userAgent: string;
}

export type GatewayApi = ReturnType<typeof createGatewayApi>;

type Json = Record<string, unknown>;

export interface AuditPage {
  records: { seq: number; hash: string; event: Record<string, unknown> }[];
  /** Pass back as `afterSeq` for the next page; null when this page was the last. */
  nextAfterSeq: number | null;
}

/** Creates the gateway API client. Paths are relative to `url`; JSON in, JSON out. */
export function createGatewayApi(options: GatewayApiOptions) {
  const base = options.url.replace(/\/+$/, "");
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": options.userAgent };
    if (options.token !== null) headers.Authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await options.fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        redirect: "manual",
      });
    } catch (error) {
      throw new GatewayConnectionError(base, error);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (response.status >= 400 || (response.status >= 300 && response.status < 400)) {
      const error = parsed as { error?: unknown; code?: unknown } | null;
      const message =
        typeof error?.error === "string" ? error.error : `${response.status} ${response.statusText}`;
      const code = typeof error?.code === "string" ? error.code : `HTTP_${response.status}`;
      throw new GatewayApiError(response.status, code, message, parsed);
    }
    if (parsed === null && text !== "") {
      throw new GatewayApiError(
        response.status,
        "BAD_RESPONSE",
        "the gateway answered something that is not JSON",
        text,
      );
    }
    return parsed as T;
  };
  const seg = encodeURIComponent;

  return {
    url: base,
    me: () => call<MeInfo>("GET", "/api/v1/me"),
    listMySessions: () => call<{ sessions: SessionInfo[] }>("GET", "/api/v1/me/sessions"),
    revokeMySession: (id: string) => call<{ revoked: boolean }>("DELETE", `/api/v1/me/sessions/${seg(id)}`),
    explain: (request: { method: string; path: string; as?: string }) =>
      call<{ explanation: string; permission: string | null; mfa: string | null }>(
        "POST",
        "/api/v1/rbac/explain",
        request,
      ),

    listUsers: () => call<Json>("GET", "/api/v1/users"),
    addUser: (user: { email: string; name?: string; grants: GrantInfo[] }) =>
      call<Json>("POST", "/api/v1/users", user),
    setUserGrants: (user: string, grants: GrantInfo[]) =>
      call<Json>("PUT", `/api/v1/users/${seg(user)}/roles`, { grants }),
    /** Locks a person out and ends their sessions; `reason` is recorded in the audit log. */
    lockUser: (user: string, reason: string) =>
      call<Json>("POST", `/api/v1/users/${seg(user)}/lock`, { reason }),
    unlockUser: (user: string) => call<Json>("POST", `/api/v1/users/${seg(user)}/unlock`, {}),
    listUserSessions: (user: string) => call<Json>("GET", `/api/v1/users/${seg(user)}/sessions`),
    revokeUserSession: (user: string, session: string) =>
      call<Json>("DELETE", `/api/v1/users/${seg(user)}/sessions/${seg(session)}`),

    listTokens: () => call<Json>("GET", "/api/v1/tokens"),
    /** Answers `{ token, apiToken }`: the secret is in `token`, shown this once. */
    createToken: (token: { name: string; grants: GrantInfo[]; expiresInDays?: number }) =>
      call<{ token: string; apiToken: Json }>("POST", "/api/v1/tokens", token),
    revokeToken: (id: string) => call<Json>("DELETE", `/api/v1/tokens/${seg(id)}`),

    /** One page of audit records with `seq` greater than `afterSeq`, oldest first (at most 1000). */
    listAuditEvents: (query: { afterSeq?: number; limit?: number } = {}) => {
      const search = new URLSearchParams();
      if (query.afterSeq !== undefined) search.set("after_seq", String(query.afterSeq));
      if (query.limit !== undefined) search.set("limit", String(query.limit));
      const suffix = search.size > 0 ? `?${search}` : "";
      return call<AuditPage>("GET", `/api/v1/audit/events${suffix}`);
    },
    verifyAudit: () => call<Json>("POST", "/api/v1/audit/verify", {}),

    /** Loopback sign-in, last step: trade the code and the PKCE verifier for a session (RFC 7636 §4.5). */
    exchangeCliCode: (code: string, codeVerifier: string) =>
      call<SignedIn>("POST", "/api/v1/auth/cli/token", { code, code_verifier: codeVerifier }),
    startDeviceSignIn: (deviceName: string) =>
      call<DeviceStart>("POST", "/api/v1/auth/device", { device_name: deviceName }),
    /** One poll of a device sign-in (RFC 8628 §3.4); the 400 answers of §3.5 are values, not errors. */
    async pollDeviceSignIn(deviceCode: string): Promise<DevicePoll> {
      try {
        return {
          status: "signed-in",
          signedIn: await call<SignedIn>("POST", "/api/v1/auth/device/token", { device_code: deviceCode }),
        };
      } catch (error) {
        const answer = (error as GatewayApiError).body as { error?: unknown } | undefined;
        const status = answer?.error;
        if (
          error instanceof GatewayApiError &&
          error.status === 400 &&
          (status === "authorization_pending" ||
            status === "slow_down" ||
            status === "access_denied" ||
            status === "expired_token")
        ) {
          return { status };
        }
        throw error;
      }
    },
  };
}
