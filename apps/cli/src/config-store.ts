/**
 * The CLI's one file on disk: `$XDG_CONFIG_HOME/rack-gateway/config.json` (directory 0700, file 0600), holding a
 * session per rack alias and which one is current. Written atomically (temp file 0600, then rename).
 */
import { chmod, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** One signed-in rack. `token` is a session token (`rgws_…`); it never leaves this file but for the gateway. */
export interface RackEntry {
  gatewayUrl: string;
  token: string;
  sessionId: string | null;
  email: string | null;
  expiresAt: string | null;
  signedInAt: string;
}

export interface CliConfig {
  version: 1;
  current: string | null;
  racks: Record<string, RackEntry>;
}

/** Thrown when the config file exists but cannot be read as a config. */
export class ConfigFileError extends Error {
  override readonly name = "ConfigFileError";
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Where the config lives: `$XDG_CONFIG_HOME/rack-gateway/config.json`, else `~/.config/rack-gateway/config.json`. */
export function configPathOf(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME?.startsWith("/")
    ? env.XDG_CONFIG_HOME
    : join(env.HOME ?? homedir(), ".config");
  return join(base, "rack-gateway", "config.json");
}

export const emptyConfig = (): CliConfig => ({ version: 1, current: null, racks: {} });

export interface ReadConfigResult {
  config: CliConfig;
  /** Set when the file was readable by group or others: the mode found (it has been reset to 0600). */
  fixedMode: number | null;
}

/**
 * Reads the config; a missing file is an empty config. A file readable by group or others is reset to 0600
 * and reported (`fixedMode`), so the caller can warn that its tokens may have been read.
 */
export async function readConfig(path: string): Promise<ReadConfigResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { config: emptyConfig(), fixedMode: null };
    throw new ConfigFileError(path, `cannot read ${path}`, { cause: error });
  }
  let fixedMode: number | null = null;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    fixedMode = mode;
  }
  return { config: parseConfig(path, text), fixedMode };
}

function parseConfig(path: string, text: string): CliConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(path, `${path} is not valid JSON; fix it or delete it and sign in again`, {
      cause: error,
    });
  }
  const object = raw as Partial<CliConfig> | null;
  if (
    object === null ||
    typeof object !== "object" ||
    object.version !== 1 ||
    typeof object.racks !== "object"
  ) {
    throw new ConfigFileError(
      path,
      `${path} is not a rack-gateway config (version 1); delete it and sign in again`,
    );
  }
  const racks: Record<string, RackEntry> = {};
  for (const [alias, entry] of Object.entries(object.racks ?? {})) {
    if (typeof entry?.gatewayUrl === "string" && typeof entry.token === "string") racks[alias] = entry;
  }
  const current = typeof object.current === "string" && racks[object.current] ? object.current : null;
  return { version: 1, current, racks };
}

/** Writes the config atomically: directory 0700, a temp file created 0600, fsync, rename over the old one. */
export async function writeConfig(path: string, config: CliConfig): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by umask and ignored for an existing directory.
  await chmod(directory, 0o700);
  const temporary = join(directory, `.config.json.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(config, null, 2)}\n`, "utf8");
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new ConfigFileError(path, `cannot write ${path}`, { cause: error });
  }
}

/** Rack aliases are what people type: letters, digits, dot, dash, underscore. */
export function validateAlias(alias: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(alias)
    ? null
    : `rack alias ${JSON.stringify(alias)} must be letters, digits, ".", "-" or "_" (at most 63)`;
}
