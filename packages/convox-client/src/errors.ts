/** The rack answered with status ≥ 400. `body` is the raw text; `error` the parsed `{"error"}` field. */
export class ConvoxHttpError extends Error {
  override readonly name = "ConvoxHttpError";
  readonly status: number;
  readonly body: string;
  /** The rack's `error` field when the body was `{"error":"…"}`, else `undefined`. */
  readonly code: string | undefined;

  constructor(status: number, body: string, options?: { method?: string; path?: string; cause?: unknown }) {
    const code = readErrorField(body);
    const where = options?.method && options.path ? ` for ${options.method} ${options.path}` : "";
    super(`rack answered ${status}${where}: ${code ?? (body.trim().slice(0, 200) || "(empty body)")}`, {
      cause: options?.cause,
    });
    this.status = status;
    this.body = body;
    this.code = code;
  }
}

/** The rack could not be reached (DNS, refused connection, reset, TLS…); see `cause`. */
export class ConvoxConnectionError extends Error {
  override readonly name = "ConvoxConnectionError";
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`cannot reach rack at ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.url = url;
  }
}

/** The rack reported an error inside a websocket stream (a text frame `ERROR: …`). */
export class ConvoxStreamError extends Error {
  override readonly name = "ConvoxStreamError";
  /** The message after `ERROR: `, without the trailing newline. */
  readonly streamMessage: string;

  constructor(streamMessage: string) {
    super(`rack stream error: ${streamMessage}`);
    this.streamMessage = streamMessage;
  }
}

function readErrorField(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && "error" in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (typeof error === "string") return error;
    }
  } catch {
    // Not JSON: the caller still has `body`.
  }
  return undefined;
}

/** The rack answered 2xx with a body that is not the JSON the API documents. */
export class ConvoxResponseError extends Error {
  override readonly name = "ConvoxResponseError";
  readonly status: number;
  readonly body: string;

  constructor(status: number, body: string, cause: unknown) {
    super(`rack answered ${status} with a body that is not valid JSON: ${body.slice(0, 200)}`, { cause });
    this.status = status;
    this.body = body;
  }
}
