import { numbersUnits } from "@blocklist/core";
import { getPrismaClient, type PrismaClient } from "@blocklist/db";
import { authenticateApiKey, type Caller } from "../auth";
import { RateLimitedError } from "../errors";
import { noteApiKey, noteOutcome, noteRoute } from "../observability/context";
import { charge } from "../rateLimit/admission";
import { admitRequest } from "../rateLimit/process";
import { errorResponse, jsonResponse, methodNotAllowedResponse } from "./responses";

export interface RestContext {
  db: PrismaClient;
  caller: Caller;
  /**
   * Charges the rest of the request's cost for the `count` numbers its parsed body carries (one unit per started
   * hundred); throws RateLimitedError (429, without doing the work) when they do not fit in the key's budget.
   */
  chargeNumbers(count: number): void;
}

export const API_KEY_HEADER = "X-Authorization";

/**
 * Wraps a REST route handler: authenticates the key first (step 1 of the check order, before the request is
 * even parsed), counts the request's admission unit against the key's rate limit (429 past it), runs the
 * handler (which charges the numbers of its body once parsed), answers its result as JSON 200 and any error
 * through `errorResponse`. Every answer to a key with a budget carries the RateLimit-* headers. Along the way it notes the route, the key and what the call did for the request's log
 * line and metrics.
 */
export function restHandler(
  handle: (request: Request, context: RestContext) => Promise<unknown>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const route = new URL(request.url).pathname;
    noteRoute(route);
    let limitHeaders: Record<string, string> = {};
    try {
      const db = getPrismaClient();
      const presentedKey = request.headers.get(API_KEY_HEADER);
      noteApiKey(presentedKey);
      const caller = await authenticateApiKey(db, presentedKey);
      noteApiKey(presentedKey, caller.keyId);
      let admission = admitRequest(caller, route);
      limitHeaders = admission.headers;
      if (admission.refused) throw new RateLimitedError();
      const chargeNumbers = (count: number) => {
        admission = charge(admission, numbersUnits(count));
        limitHeaders = admission.headers;
        if (admission.refused) throw new RateLimitedError();
      };
      const result = await handle(request, { db, caller, chargeNumbers });
      noteOutcome(result);
      return jsonResponse(result, 200, limitHeaders);
    } catch (error) {
      return withHeaders(errorResponse(error), limitHeaders);
    }
  };
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
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
