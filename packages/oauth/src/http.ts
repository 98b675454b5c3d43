import { OidcProviderError } from "./errors.js";

/** The injected transport: a WHATWG `fetch` (global fetch, undici, or a test double). */
export type FetchLike = (request: Request) => Promise<Response>;

const MAX_JSON_BYTES = 1024 * 1024;

/** Sends `request`, turning transport failures and timeouts into {@link OidcProviderError}. */
export async function sendRequest(fetch: FetchLike, request: Request, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(new Request(request, { signal: AbortSignal.timeout(timeoutMs) }));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new OidcProviderError(`cannot reach identity provider at ${request.url}: ${reason}`, {
      url: request.url,
      cause,
    });
  }
}

/** Reads a JSON object body (at most 1 MiB), or throws {@link OidcProviderError}. */
export async function readJsonObject(response: Response, url: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    throw new OidcProviderError(`identity provider body from ${url} could not be read`, {
      url,
      status: response.status,
      cause,
    });
  }
  if (text.length > MAX_JSON_BYTES) {
    throw new OidcProviderError(`identity provider body from ${url} is over 1 MiB`, {
      url,
      status: response.status,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new OidcProviderError(`identity provider sent non-JSON from ${url}`, {
      url,
      status: response.status,
      cause,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new OidcProviderError(`identity provider sent JSON that is not an object from ${url}`, {
      url,
      status: response.status,
    });
  }
  return parsed as Record<string, unknown>;
}

/** Discards an unread body so the connection can be reused. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to release.
  }
}
