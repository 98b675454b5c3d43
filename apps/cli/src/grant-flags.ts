/** `--role` + `--apps` → a grant list, checked against the role names before anything is sent. */
import { CliError } from "./cli-error.js";
import { EXIT } from "./exit-codes.js";
import type { GrantInfo } from "./gateway-api.js";

export const ROLE_NAMES = ["viewer", "ops", "deployer", "admin", "cicd"] as const;

export function grantsOf(role: string, apps: string | undefined): GrantInfo[] {
  if (!(ROLE_NAMES as readonly string[]).includes(role)) {
    throw new CliError(`unknown role ${role}; one of ${ROLE_NAMES.join(", ")}`, EXIT.USAGE, "USAGE");
  }
  const list = apps
    ?.split(",")
    .map((app) => app.trim())
    .filter((app) => app !== "");
  return [list && list.length > 0 ? { role, apps: list } : { role }];
}
