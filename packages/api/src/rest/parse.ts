import { ErrorMessage, MAX_BODY_BYTES, toIssues } from "@blocklist/core";
import type { z } from "zod";
import { BodyTooLargeError, InvalidRequestError, UnsupportedMediaTypeError } from "../errors";

/** Step 2 for GET: the query string checked against a core schema. */
export function parseQuery<Schema extends z.ZodType>(schema: Schema, request: Request): z.output<Schema> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const result = schema.safeParse(params);
  if (!result.success) throw new InvalidRequestError(ErrorMessage.invalidQuery, toIssues(result.error));
  return result.data;
}

/** `application/json`, in any case, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(contentType: string | null): boolean {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}

/**
 * The body's bytes, refused with 413 over `limit`: a declared Content-Length over it is refused before
 * anything is read, and a body without one (chunked) is read only until it passes the limit.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    throw new BodyTooLargeError();
  }
  if (request.body === null) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, size);
    size += value.byteLength;
    if (size > limit) {
      // The rest of the body is never read.
      void reader.cancel().catch(() => {});
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
}

/**
 * Step 2 for POST and DELETE: a JSON Content-Type (else 415), a body of at most MAX_BODY_BYTES (else 413),
 * then the JSON checked against a core schema (else 400).
 */
export async function parseJsonBody<Schema extends z.ZodType>(
  schema: Schema,
  request: Request,
  maxBytes: number = MAX_BODY_BYTES,
): Promise<z.output<Schema>> {
  if (!isJsonContentType(request.headers.get("content-type"))) throw new UnsupportedMediaTypeError();
  const bytes = await readBodyWithin(request, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new InvalidRequestError(ErrorMessage.invalidJson);
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new InvalidRequestError(ErrorMessage.invalidBody, toIssues(result.error));
  return result.data;
}
