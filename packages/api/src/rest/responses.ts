import { ErrorMessage, type ErrorResponse } from "@blocklist/core";
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from "../databaseUnavailable";
import {
  AuthenticationError,
  BodyTooLargeError,
  InvalidRequestError,
  PermissionError,
  RateLimitedError,
  UnsupportedMediaTypeError,
} from "../errors";
import { reportError } from "../observability/context";

/** Every answer of the REST API is JSON, success or error. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

/** The one place that turns a domain error into an HTTP status for REST. */
export function errorResponse(error: unknown): Response {
  if (error instanceof AuthenticationError || error instanceof PermissionError) {
    return jsonResponse({ error: error.message } satisfies ErrorResponse, 401);
  }
  if (error instanceof RateLimitedError) {
    return jsonResponse({ error: error.message } satisfies ErrorResponse, 429);
  }
  if (error instanceof BodyTooLargeError) {
    return jsonResponse({ error: error.message } satisfies ErrorResponse, 413);
  }
  if (error instanceof UnsupportedMediaTypeError) {
    return jsonResponse({ error: error.message } satisfies ErrorResponse, 415);
  }
  if (error instanceof InvalidRequestError) {
    const body: ErrorResponse = {
      error: error.message,
      ...(error.issues.length > 0 ? { issues: error.issues } : {}),
    };
    return jsonResponse(body, 400);
  }
  // Logged once, with its cause (in the request's log line); the caller never sees internals.
  reportError(error, "REST handler");
  if (isDatabaseUnavailable(error)) {
    return jsonResponse({ error: ErrorMessage.serviceUnavailable } satisfies ErrorResponse, 503, {
      "Retry-After": String(RETRY_AFTER_SECONDS),
    });
  }
  return jsonResponse({ error: ErrorMessage.internal } satisfies ErrorResponse, 500);
}

export function methodNotAllowedResponse(allowed: readonly string[]): Response {
  return jsonResponse({ error: ErrorMessage.methodNotAllowed } satisfies ErrorResponse, 405, {
    Allow: allowed.join(", "),
  });
}
