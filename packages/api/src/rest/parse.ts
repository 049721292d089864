import { ErrorMessage, toIssues } from "@blocklist/core";
import type { z } from "zod";
import { InvalidRequestError } from "../errors";

/** Step 2 for GET: the query string checked against a core schema. */
export function parseQuery<Schema extends z.ZodType>(schema: Schema, request: Request): z.output<Schema> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const result = schema.safeParse(params);
  if (!result.success) throw new InvalidRequestError(ErrorMessage.invalidQuery, toIssues(result.error));
  return result.data;
}

/** Step 2 for POST and DELETE: the JSON body checked against a core schema. */
export async function parseJsonBody<Schema extends z.ZodType>(
  schema: Schema,
  request: Request,
): Promise<z.output<Schema>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new InvalidRequestError(ErrorMessage.invalidJson);
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new InvalidRequestError(ErrorMessage.invalidBody, toIssues(result.error));
  return result.data;
}
