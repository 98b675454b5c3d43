import { checkPermission, type GrantVerdict } from "./authorize.js";
import { matchConvoxRoute } from "./convox-routes.js";
import { getPermissionInfo, type PermissionInfo } from "./permissions.js";
import type { RouteMatcher } from "./route-table.js";
import type { AuthorizeOptions, GatewayAnswer, Principal, RouteMatch } from "./types.js";

/** Options of explain(): the authorize settings, and the route table to match (default: the Convox table). */
export interface ExplainOptions extends Omit<AuthorizeOptions, "app"> {
  readonly matchRoute?: RouteMatcher;
}

/**
 * The structured account of one request: `allow` or `deny` for forwarded routes, `answer` for routes the
 * gateway answers itself (no permission needed, never forwarded).
 */
export interface Explanation {
  readonly principal: Pick<Principal, "kind" | "id" | "name">;
  readonly method: string;
  readonly rawPath: string;
  readonly match: RouteMatch | null;
  readonly permission: PermissionInfo | null;
  /** False for API tokens, which are never asked for MFA. */
  readonly mfaApplies: boolean;
  readonly grants: readonly GrantVerdict[];
  readonly outcome: "allow" | "deny" | "answer";
  readonly reason: string;
}

const ANSWER_REASONS: Readonly<Record<GatewayAnswer, string>> = {
  check: "the gateway answers it itself (ok, no credentials needed); it never reaches the rack",
  auth: "the gateway answers it itself (credential check for convox login); it never reaches the rack",
  probe: "the gateway answers it itself (404, the CLI's probe before a websocket); it never reaches the rack",
  public: "a public gateway endpoint: anyone may call it without credentials",
};

/** Matches and authorizes a request and returns every step of the decision. */
export function explainDecision(
  principal: Principal,
  method: string,
  rawPath: string,
  options: ExplainOptions = {},
): Explanation {
  const { matchRoute = matchConvoxRoute, ...authorizeOptions } = options;
  const match = matchRoute(method, rawPath);
  const base = {
    principal: { kind: principal.kind, id: principal.id, name: principal.name },
    method,
    rawPath,
    match,
    mfaApplies: principal.kind === "user",
  };
  if (match === null) {
    const reason = `no route matches ${method} ${rawPath}: unknown or malformed requests are denied`;
    return { ...base, permission: null, grants: [], outcome: "deny", reason };
  }
  if (match.route.answer !== undefined) {
    return {
      ...base,
      permission: null,
      grants: [],
      outcome: "answer",
      reason: ANSWER_REASONS[match.route.answer],
    };
  }
  const permission = match.permission === null ? null : getPermissionInfo(match.permission);
  const app = match.app;
  const checked = checkPermission(principal, match.permission, {
    ...authorizeOptions,
    ...(app === undefined ? {} : { app }),
  });
  if ("denied" in checked) {
    return { ...base, permission, grants: [], outcome: "deny", reason: checked.denied.reason };
  }
  const winner = checked.verdicts.find((verdict) => verdict.applies);
  const reason =
    winner?.reason ??
    (checked.verdicts.length === 0
      ? `${principal.kind} ${principal.name} holds no grants`
      : checked.verdicts.map((verdict) => verdict.reason).join("; "));
  return { ...base, permission, grants: checked.verdicts, outcome: winner ? "allow" : "deny", reason };
}

/**
 * A multi-line, human-readable account of how a request is decided: the normalised route and pattern, the
 * permission and MFA level, each grant and why it did or did not apply, and the final ALLOW / DENY.
 *
 * @example console.log(explain(principal, "POST", "/apps/web/builds?"))
 */
export function explain(
  principal: Principal,
  method: string,
  rawPath: string,
  options: ExplainOptions = {},
): string {
  return formatExplanation(explainDecision(principal, method, rawPath, options));
}

/** Renders an Explanation as explain() does. */
export function formatExplanation(explanation: Explanation): string {
  const { principal, match, permission } = explanation;
  const lines = [
    `Request:    ${explanation.method} ${JSON.stringify(explanation.rawPath)}`,
    `Principal:  ${principal.kind} ${principal.name} (id ${principal.id})`,
  ];
  if (match !== null) {
    const description = match.route.description === undefined ? "" : ` — ${match.route.description}`;
    lines.push(`Route:      ${match.route.method} ${match.route.path}${description}`);
    lines.push(`Path:       ${match.path}${match.app === undefined ? "" : ` (app ${match.app})`}`);
  }
  if (permission !== null) {
    lines.push(
      `Permission: ${permission.permission} (${permission.scope} scope) — ${permission.description}`,
    );
  }
  if (match !== null && match.route.answer === undefined) {
    lines.push(`MFA:        ${match.mfa}${explanation.mfaApplies ? "" : " (not asked of API tokens)"}`);
  }
  if (explanation.grants.length > 0) {
    lines.push("Grants:");
    explanation.grants.forEach((verdict, index) => {
      lines.push(`  ${index + 1}. ${verdict.applies ? "applies" : "does not apply"}: ${verdict.reason}`);
    });
  }
  const verdict = { allow: "ALLOW", deny: "DENY", answer: "ANSWERED BY GATEWAY" }[explanation.outcome];
  lines.push(`Decision:   ${verdict} — ${explanation.reason}`);
  return lines.join("\n");
}
