// application/x-www-form-urlencoded bodies, including the Convox `env` field (a whole KEY=VALUE list).
import { isSensitiveNameWith } from "./classify-name.js";
import { decodeComponent, encodeComponent, redactPairList } from "./pair-list.js";
import { redactEnvListWith } from "./redact-env.js";
import { redactTextWith } from "./redact-text.js";
import { compileRules, type RedactionRules } from "./rules.js";

/** Form fields whose value is a newline-separated KEY=VALUE list (`POST /apps/{app}/releases`). */
const ENV_LIST_FIELDS = new Set(["env"]);

/**
 * Redacts an `application/x-www-form-urlencoded` body and returns it as a string: fields with a sensitive
 * name are replaced, the `env` field (Convox sends the app's whole `KEY=VALUE` list in it) is redacted line
 * by line as by {@link redactEnvList}, and other values are scanned. Untouched fields keep their exact bytes;
 * changed ones are re-encoded with `[` and `]` left readable.
 * @example redactFormBody("env=PORT%3D3000%0ADB_PASSWORD%3Dx&promote=true")
 * // "env=PORT%3D3000%0ADB_PASSWORD%3D[REDACTED]&promote=true"
 */
export function redactFormBody(body: string | URLSearchParams, rules?: RedactionRules): string {
  const compiled = compileRules(rules);
  let text: string;
  if (typeof body === "string") text = body;
  else if (body instanceof URLSearchParams) text = body.toString();
  else throw new TypeError("redactFormBody(body) takes a string or URLSearchParams.");
  if (text === "") return text;
  return redactPairList(text, {
    plusIsSpace: true,
    replacement: compiled.replacement,
    isSensitive: (name) => isSensitiveNameWith(name, compiled),
    redactValue: (name, value) =>
      ENV_LIST_FIELDS.has(name.toLowerCase())
        ? redactEnvListWith(value, compiled)
        : redactTextWith(value, compiled),
    scanRaw: (raw) => {
      const decoded = decodeComponent(raw, true);
      if (decoded === undefined) return redactTextWith(raw, compiled);
      const redacted = redactTextWith(decoded, compiled);
      return redacted === decoded ? raw : encodeComponent(redacted, true);
    },
  });
}
