/** Opens a URL in the user's browser: `$BROWSER` when set (like gh and git), else the platform's opener. */
import { spawn } from "node:child_process";

/** Resolves true when an opener was started; never throws (the URL is printed anyway). */
export function openBrowser(url: string, env: Record<string, string | undefined>): Promise<boolean> {
  const [command, ...args] = env.BROWSER
    ? [env.BROWSER, url]
    : process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["rundll32", "url.dll,FileProtocolHandler", url]
        : ["xdg-open", url];
  return new Promise((resolve) => {
    try {
      const child = spawn(command ?? "xdg-open", args, { stdio: "ignore", detached: true });
      child.once("error", () => resolve(false));
      child.once("spawn", () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
