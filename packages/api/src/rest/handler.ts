import { getPrismaClient, type PrismaClient } from "@blocklist/db";
import { authenticateApiKey, type Caller } from "../auth";
import { errorResponse, jsonResponse, methodNotAllowedResponse } from "./responses";

export interface RestContext {
  db: PrismaClient;
  caller: Caller;
}

export const API_KEY_HEADER = "X-Authorization";

/**
 * Wraps a REST route handler: authenticates the key first (step 1 of the check order, before the request is
 * even parsed), runs the handler, answers its result as JSON 200 and any error through `errorResponse`.
 */
export function restHandler(
  handle: (request: Request, context: RestContext) => Promise<unknown>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const db = getPrismaClient();
      const caller = await authenticateApiKey(db, request.headers.get(API_KEY_HEADER));
      return jsonResponse(await handle(request, { db, caller }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** The handler for every method a route does not support: 405 JSON with `Allow`. */
export function methodNotAllowedHandler(allowed: readonly string[]): () => Promise<Response> {
  return async () => methodNotAllowedResponse(allowed);
}
