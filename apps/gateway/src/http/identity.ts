/** Who is calling the gateway's own API, and how they proved it. */
import type { HttpBindings } from "@hono/node-server";
import type { AuditActor } from "@rack-gateway/audit-chain";
import type { Principal, RouteMatch } from "@rack-gateway/rbac";
import type { ApiTokenRecord, SessionRecord, UserRecord } from "../stores/types.js";

export type Identity =
  | {
      readonly via: "cookie" | "header";
      readonly kind: "session";
      readonly principal: Principal;
      readonly actor: AuditActor;
      readonly session: SessionRecord;
      readonly user: UserRecord;
    }
  | {
      readonly via: "header";
      readonly kind: "api-token";
      readonly principal: Principal;
      readonly actor: AuditActor;
      readonly token: ApiTokenRecord;
    };

/** Hono context variables set for every request to the gateway's own API. */
export interface AppVariables {
  requestId: string;
  /** The client's address (X-Forwarded-For only when TRUST_PROXY_HEADERS is set). */
  clientIp: string | null;
  route: RouteMatch;
  /** Null on public routes when nobody is signed in. */
  identity: Identity | null;
}

export type AppEnv = { Variables: AppVariables; Bindings: Partial<HttpBindings> };
