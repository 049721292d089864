// The one body reader of /api/*: Fastify reads a body as text within MAX_BODY_BYTES (413 by Content-Length
// before reading, or as soon as a chunked body passes it), after the route's own checks (key, Content-Type) have
// passed, so a refused request's body is never read.

import { InvalidRequestError } from "@blocklist/api";
import { ErrorMessage, MAX_BODY_BYTES } from "@blocklist/core";
import type { FastifyInstance } from "fastify";

/** `application/json`, in any case, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** Every body arrives as text; each route decides what it accepts before the body is read. */
export function readBodiesAsText(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit: MAX_BODY_BYTES }, (_request, body, done) =>
    done(null, body),
  );
}

/** The body's JSON, or a 400 when it is none. */
export function parseJsonText(body: unknown): unknown {
  try {
    return JSON.parse(typeof body === "string" ? body : "");
  } catch {
    throw new InvalidRequestError(ErrorMessage.invalidJson);
  }
}
