/** Everything the gateway's handlers need, built once by the composition root (main.ts) or by tests. */
import type { OidcClient } from "@rack-gateway/oauth";
import type { RedactionRules } from "@rack-gateway/redaction";
import type { AuditLog } from "./audit/audit-log.js";
import type { AuditVerificationKeys } from "./audit/verify-audit.js";
import type { Authenticator } from "./auth/authenticate.js";
import type { SessionService } from "./auth/sessions.js";
import type { PeopleConfig } from "./config/config.js";
import type { CookiePolicy } from "./http/cookies.js";
import type { RackForwarder } from "./proxy/rack-forwarder.js";
import type { Settings } from "./settings/settings.js";
import type { Stores } from "./stores/types.js";

export interface GatewayDeps {
  readonly stores: Stores;
  readonly forwarder: RackForwarder;
  readonly audit: AuditLog;
  /** Keys to verify the stored audit chain and its checkpoints (POST /api/v1/audit/verify). */
  readonly auditVerification: AuditVerificationKeys;
  readonly settings: Settings;
  readonly authenticator: Authenticator;
  readonly redaction: RedactionRules;
  readonly rack: {
    readonly alias: string;
    readonly displayName: string;
    /** Rack calls one identity may have open at once (see proxy/concurrency.ts). */
    readonly maxConcurrentCalls: number;
  };
  readonly authFailureLimit: number;
  readonly authFailureWindowMs: number;
  /** Send HSTS (TLS here, or production behind a TLS load balancer). */
  readonly hsts: boolean;
  /** Trust X-Forwarded-For from the load balancer in front (never on a directly exposed gateway). */
  readonly trustProxyHeaders: boolean;
  /** Signs CSRF tokens (and, later, other gateway-issued values). */
  readonly appSecretKey: Uint8Array;
  readonly sessions: SessionService;
  readonly cookies: CookiePolicy;
  /** The gateway's public origin (GATEWAY_URL); null in local development, where the request's origin is used. */
  readonly publicOrigin: string | null;
  readonly people: PeopleConfig;
  /** The identity provider people sign in at (Google or OIDC); null when none is configured. */
  readonly identityProvider: OidcClient | null;
  readonly now: () => Date;
  readonly random: (byteCount: number) => Uint8Array;
  readonly randomId: () => string;
  readonly logError: (message: string, error: unknown) => void;
}
