/**
 * Browser sign-in through a loopback redirect (RFC 8252 §7.3) with PKCE (RFC 7636): listen on 127.0.0.1 on a
 * random port, send the browser to the gateway, accept exactly one callback carrying our `state`, then trade the
 * code and verifier for a session.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CliError } from "./cli-error.js";
import { EXIT } from "./exit-codes.js";
import type { GatewayApi, SignedIn } from "./gateway-api.js";
import { createPkcePair, createState } from "./pkce.js";

export interface LoopbackLoginOptions {
  api: GatewayApi;
  deviceName: string;
  /** Shows the URL and tries to open it. */
  present: (url: string) => Promise<void>;
  timeoutMs: number;
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:system-ui;margin:4rem auto;max-width:32rem"><h1>${title}</h1><p>${text}</p></body></html>`;

function answer(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(page(title, text));
}

export async function signInWithLoopback(options: LoopbackLoginOptions): Promise<SignedIn> {
  const { verifier, challenge } = createPkcePair();
  const state = createState();
  let settle: (result: { code: string } | { error: CliError }) => void = () => undefined;
  const callback = new Promise<{ code: string } | { error: CliError }>((resolve) => {
    settle = resolve;
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" || url.pathname !== "/callback") {
      answer(res, 404, "Not found", "This address only receives the rack-gateway sign-in.");
      return;
    }
    // A callback without our state is someone else's (or a forged) redirect: refuse it, keep waiting.
    if (url.searchParams.get("state") !== state) {
      answer(res, 400, "Sign-in refused", "The sign-in state did not match. Start again from your terminal.");
      return;
    }
    const error = url.searchParams.get("error");
    const code = url.searchParams.get("code");
    if (error !== null || code === null) {
      answer(res, 400, "Sign-in failed", "Return to your terminal for details.");
      settle({
        error: new CliError(
          `sign-in failed: ${error ?? "no code in the callback"}`,
          EXIT.AUTH,
          "SIGN_IN_FAILED",
        ),
      });
      return;
    }
    answer(res, 200, "Signed in", "You can close this tab and return to your terminal.");
    settle({ code });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const timer = setTimeout(
    () =>
      settle({
        error: new CliError(
          "timed out waiting for the browser; try again, or use `--no-browser` for a device code",
          EXIT.AUTH,
          "SIGN_IN_TIMEOUT",
        ),
      }),
    options.timeoutMs,
  );
  try {
    const start = new URL("/auth/cli/start", options.api.url);
    start.searchParams.set("redirect_uri", `http://127.0.0.1:${port}/callback`);
    start.searchParams.set("code_challenge", challenge);
    start.searchParams.set("code_challenge_method", "S256");
    start.searchParams.set("state", state);
    start.searchParams.set("device_name", options.deviceName);
    await options.present(start.toString());
    const result = await callback;
    if ("error" in result) throw result.error;
    return await options.api.exchangeCliCode(result.code, verifier);
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}
