import { getPrismaClient, type PrismaClient } from "@blocklist/db";
import { authenticateApiKey, type Caller } from "../auth";
import { noteApiKey, noteOutcome, noteRoute } from "../observability/context";
import { errorResponse, jsonResponse, methodNotAllowedResponse } from "./responses";

export interface RestContext {
  db: PrismaClient;
  caller: Caller;
}

export const API_KEY_HEADER = "X-Authorization";

/**
 * Wraps a REST route handler: authenticates the key first (step 1 of the check order, before the request is
 * even parsed), runs the handler, answers its result as JSON 200 and any error through `errorResponse`.
 * Along the way it notes the route, the key and what the call did for the request's log line and metrics.
 */
export function restHandler(
  handle: (request: Request, context: RestContext) => Promise<unknown>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    noteRoute(new URL(request.url).pathname);
    try {
      const db = getPrismaClient();
      const presentedKey = request.headers.get(API_KEY_HEADER);
      noteApiKey(presentedKey);
      const caller = await authenticateApiKey(db, presentedKey);
      noteApiKey(presentedKey, caller.keyId);
      const result = await handle(request, { db, caller });
      noteOutcome(result);
      return jsonResponse(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** The handler for every method a route does not support: 405 JSON with `Allow`. */
export function methodNotAllowedHandler(allowed: readonly string[]): (request: Request) => Promise<Response> {
  return async (request) => {
    noteRoute(new URL(request.url).pathname);
    return methodNotAllowedResponse(allowed);
  };
}

/**
 * 405 handlers for every method, to export those a route lacks (Next would answer them without JSON):
 * `export const { PUT, PATCH, OPTIONS } = methodsNotAllowed(["GET", "POST", "DELETE"]);`
 */
export function methodsNotAllowed(allowed: readonly string[]) {
  const notAllowed = methodNotAllowedHandler(allowed);
  return {
    GET: notAllowed,
    POST: notAllowed,
    PUT: notAllowed,
    PATCH: notAllowed,
    DELETE: notAllowed,
    OPTIONS: notAllowed,
  };
}
