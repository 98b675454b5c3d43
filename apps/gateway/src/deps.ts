/** Everything the gateway's handlers need, built once by the composition root (main.ts) or by tests. */
import type { RedactionRules } from "@rack-gateway/redaction";
import type { AuditLog } from "./audit/audit-log.js";
import type { Authenticator } from "./auth/authenticate.js";
import type { RackForwarder } from "./proxy/rack-forwarder.js";
import type { Settings } from "./settings/settings.js";
import type { Stores } from "./stores/types.js";

export interface GatewayDeps {
  readonly stores: Stores;
  readonly forwarder: RackForwarder;
  readonly audit: AuditLog;
  readonly settings: Settings;
  readonly authenticator: Authenticator;
  readonly redaction: RedactionRules;
  readonly rack: { readonly alias: string; readonly displayName: string };
  readonly authFailureLimit: number;
  readonly authFailureWindowMs: number;
  /** Send HSTS (TLS here, or production behind a TLS load balancer). */
  readonly hsts: boolean;
  /** Trust X-Forwarded-For from the load balancer in front (never on a directly exposed gateway). */
  readonly trustProxyHeaders: boolean;
  readonly now: () => Date;
  readonly randomId: () => string;
  readonly logError: (message: string, error: unknown) => void;
}
