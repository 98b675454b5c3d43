/** Core types of the authorization model. */

/** Built-in roles. `viewer` < `ops` < `deployer` < `admin` for people; `cicd` is for API tokens only. */
export type Role = "viewer" | "ops" | "deployer" | "admin" | "cicd";

/** `convox:<resource>:<action>` for rack API calls, `gateway:<resource>:<action>` for the gateway's own API. */
export type Permission = `convox:${string}:${string}` | `gateway:${string}:${string}`;

/**
 * MFA demanded of a person for a route: `none`; `step-up` — a verification inside the step-up window;
 * `always` — a fresh proof on this very request. API tokens are not people and are not asked.
 */
export type MfaLevel = "none" | "step-up" | "always";

/**
 * One grant held by a principal: a role, or an explicit permission list, optionally scoped to apps.
 * A grant without `apps` applies to every app and to rack-wide permissions; a grant with `apps` applies
 * only to app-scoped permissions on those apps.
 */
export type Grant =
  | { readonly role: Role; readonly apps?: readonly string[] }
  | { readonly permissions: readonly Permission[]; readonly apps?: readonly string[] };

/** Whoever is making the request. */
export interface Principal {
  readonly kind: "user" | "token";
  /** Stable id (user id or token id). */
  readonly id: string;
  /** Email for users, token name for tokens: what explain() and audit show. */
  readonly name: string;
  readonly grants: readonly Grant[];
}

/**
 * Routes that need no permission: the Convox routes the gateway answers itself (`check` — `GET /check`,
 * `auth` — `GET /auth`, `probe` — `GET /machines` / `GET /racks`), and `public` — a gateway endpoint that
 * anyone may call without credentials (health checks, the steps of signing in).
 */
export type GatewayAnswer = "check" | "auth" | "probe" | "public";

/** A row of a route table: the same shape for the Convox table and the gateway's own `/api/v1` table. */
export interface RouteDefinition {
  /** HTTP method, `ANY`, or `SOCKET` for a websocket upgrade. */
  readonly method: string;
  /** Pattern with `{name}` segments and an optional final `{name*}` that swallows the rest (e.g. object keys). */
  readonly path: string;
  /** Null only for routes the gateway answers itself (see `answer`). */
  readonly permission: Permission | null;
  readonly mfa: MfaLevel;
  /** Routes the gateway answers itself instead of forwarding. */
  readonly answer?: GatewayAnswer;
  /** Human description for explain() and docs. */
  readonly description?: string;
}

/** The outcome of matching a request against a route table. */
export interface RouteMatch {
  readonly route: RouteDefinition;
  readonly permission: Permission | null;
  readonly mfa: MfaLevel;
  /** True for websocket routes (method SOCKET). */
  readonly socket: boolean;
  /** The `{app}` segment, when the route has one. */
  readonly app?: string;
  /** Every `{name}` segment, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /**
   * The normalised path that was matched (dot segments resolved, no query, no trailing `?`), re-encoded.
   * A proxy must forward exactly this path, never the raw one, so that the rack acts on what was authorized.
   */
  readonly path: string;
}

export interface AuthorizeOptions {
  /** The app the request targets (from RouteMatch.app). */
  readonly app?: string;
  /** Admin setting: lets admins use routes that mint gateway-bypassing credentials (`convox:rack:jwt`). */
  readonly allowRackJwt?: boolean;
  /** True when a cicd token acts inside an approved, unexpired deploy request for this app. */
  readonly deployApproved?: boolean;
}

export type AuthorizeDecision =
  | { readonly allowed: true; readonly grant: Grant; readonly reason: string }
  | { readonly allowed: false; readonly reason: string };
