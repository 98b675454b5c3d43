/** Reading and validating request input for the admin API: a zod schema in, a clear 400 BAD_REQUEST out. */
import type { Context } from "hono";
import type { z } from "zod";
import { GatewayError } from "../http/errors.js";

/** The first problem zod found, as `field: message` (or just the message for the whole value). */
function describeIssue(error: z.ZodError, hint: string): string {
  const issue = error.issues[0];
  if (!issue) return hint;
  const where = issue.path.map(String).join(".");
  return `${where ? `${where}: ` : ""}${issue.message} (${hint})`;
}

/** True for `application/json`, with or without parameters such as `charset`. */
function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/**
 * Parses the JSON body with `schema`; throws 400 BAD_REQUEST naming the field and the expected shape, and 415
 * UNSUPPORTED_MEDIA_TYPE for a body not sent as `application/json`. An empty body without a type reads as `{}`.
 */
export async function readJsonBody<T extends z.ZodType>(
  c: Context,
  schema: T,
  hint: string,
): Promise<z.output<T>> {
  const contentType = c.req.header("content-type");
  const text = await c.req.text();
  // A browser sends text/plain, form and multipart bodies cross-site without a CORS preflight: JSON only.
  if (!isJsonMediaType(contentType) && (contentType !== undefined || text !== "")) {
    throw new GatewayError(415, "UNSUPPORTED_MEDIA_TYPE", `send the body as application/json (${hint})`);
  }
  let json: unknown;
  try {
    json = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new GatewayError(400, "BAD_REQUEST", `the body is not JSON (${hint})`);
  }
  return parseInput(schema, json, hint);
}

/** Parses any input (query, body) with `schema`; throws 400 BAD_REQUEST naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, hint: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new GatewayError(400, "BAD_REQUEST", describeIssue(parsed.error, hint));
  return parsed.data;
}
