import { ErrorMessage, toIssues } from "@blocklist/core";
import type { z } from "zod";
import { InvalidRequestError } from "../errors";

/** Step 2 for GET: the query string's values checked against a core schema (else 400). */
export function parseQuery<Schema extends z.ZodType>(schema: Schema, query: unknown): z.output<Schema> {
  const result = schema.safeParse(query);
  if (!result.success) throw new InvalidRequestError(ErrorMessage.invalidQuery, toIssues(result.error));
  return result.data;
}

/** Step 2 for POST and DELETE: the body's JSON checked against a core schema (else 400). */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) throw new InvalidRequestError(ErrorMessage.invalidBody, toIssues(result.error));
  return result.data;
}
