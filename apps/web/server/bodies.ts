// The one body reader of /api/*: Fastify reads a body as text within MAX_BODY_BYTES (a CSV file within
// MAX_CSV_BODY_BYTES; 413 by Content-Length before reading, or as soon as a chunked body passes it), after the
// route's own checks (key, Content-Type) have passed, so a refused request's body is never read.

import { InvalidRequestError } from "@blocklist/api";
import { ErrorMessage, MAX_BODY_BYTES, MAX_CSV_BODY_BYTES } from "@blocklist/core";
import type { FastifyInstance } from "fastify";

/** `application/json`, in any case, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** `text/csv`, in any case, with or without parameters. */
export function isCsvContentType(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "text/csv";
}

/** Every body arrives as text; each route decides what it accepts before the body is read. */
export function readBodiesAsText(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const asText = (_request: unknown, body: string | Buffer, done: (error: null, body: unknown) => void) =>
    done(null, body);
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: MAX_BODY_BYTES }, asText);
  // Only the routes that take a CSV file let such a body through to be read (rest.ts, uiCsv.ts).
  app.addContentTypeParser("text/csv", { parseAs: "string", bodyLimit: MAX_CSV_BODY_BYTES }, asText);
}

/** The body's JSON, or a 400 when it is none. */
export function parseJsonText(body: unknown): unknown {
  try {
    return JSON.parse(typeof body === "string" ? body : "");
  } catch {
    throw new InvalidRequestError(ErrorMessage.invalidJson);
  }
}
