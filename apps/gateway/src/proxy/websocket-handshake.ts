/**
 * The client's opening handshake (RFC 6455 §4.2.1), checked before the upgrade is authorized or forwarded: the
 * rack must never see — let alone run — a session the gateway could not then complete with its client.
 */
import type { IncomingMessage } from "node:http";
import { GatewayError } from "../http/errors.js";

// §4.1: the key is 16 bytes, base64-encoded. The same test ws applies, so ws never refuses what passed here.
const SEC_WEBSOCKET_KEY = /^[+/0-9A-Za-z]{22}==$/;
// §4.1: Sec-WebSocket-Protocol is a comma-separated list of RFC 7230 tokens.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isProtocolList(header: string): boolean {
  const names = header.split(",").map((name) => name.trim());
  return names.every((name) => TOKEN.test(name)) && new Set(names).size === names.length;
}

/**
 * Why `req` is not a websocket opening handshake the gateway can complete (405 for a method other than GET,
 * 400 otherwise), or null when it is one.
 */
export function checkClientHandshake(req: IncomingMessage): GatewayError | null {
  const bad = (problem: string) =>
    new GatewayError(400, "BAD_REQUEST", `invalid websocket upgrade: ${problem}`);
  if (req.method !== "GET") {
    return new GatewayError(405, "BAD_REQUEST", "invalid websocket upgrade: the method must be GET", {
      headers: { Allow: "GET" },
    });
  }
  if (String(req.headers.upgrade).toLowerCase() !== "websocket") return bad("Upgrade must be websocket");
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !SEC_WEBSOCKET_KEY.test(key)) return bad("missing or invalid Sec-WebSocket-Key");
  if (req.headers["sec-websocket-version"] !== "13") {
    return new GatewayError(
      400,
      "BAD_REQUEST",
      "invalid websocket upgrade: Sec-WebSocket-Version must be 13",
      {
        headers: { "Sec-WebSocket-Version": "13" },
      },
    );
  }
  const protocols = req.headers["sec-websocket-protocol"];
  if (protocols !== undefined && !isProtocolList(protocols)) return bad("invalid Sec-WebSocket-Protocol");
  return null;
}
