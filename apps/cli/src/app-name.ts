/** The app a command acts on, found the way convox finds it. */
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";

/** `--app/-a`, then `CONVOX_APP`, then `.convox/app` in `cwd`, then the directory's name. */
export function resolveAppName(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): string {
  if (flag !== undefined && flag !== "") return flag;
  if (env.CONVOX_APP) return env.CONVOX_APP;
  try {
    const saved = readFileSync(join(cwd, ".convox", "app"), "utf8").trim();
    if (saved !== "") return saved;
  } catch {
    // No .convox/app: fall through to the directory name, like convox.
  }
  return basename(cwd);
}
