// The one table from a domain error to what each interface answers: the REST status and the tRPC code. REST
// answers 401 for a permission refusal (the contract: a foreign and a missing agent look alike), tRPC FORBIDDEN.
import { ErrorMessage } from "@blocklist/core";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { isDatabaseUnavailable } from "./databaseUnavailable";
import {
  AuthenticationError,
  BodyTooLargeError,
  CrossSiteRequestError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  UnsupportedMediaTypeError,
} from "./errors";

export interface ErrorAnswer {
  status: number;
  trpcCode: TRPC_ERROR_CODE_KEY;
  /** What the caller is told: the error's own text, or a fixed one where the cause may hold internals. */
  message: string;
}

type ErrorClass = abstract new (...args: never[]) => Error;

const DOMAIN_ERRORS: ReadonlyArray<readonly [ErrorClass, number, TRPC_ERROR_CODE_KEY]> = [
  [AuthenticationError, 401, "UNAUTHORIZED"],
  [PermissionError, 401, "FORBIDDEN"],
  [InvalidRequestError, 400, "BAD_REQUEST"],
  [NotFoundError, 404, "NOT_FOUND"],
  [RateLimitedError, 429, "TOO_MANY_REQUESTS"],
  [BodyTooLargeError, 413, "PAYLOAD_TOO_LARGE"],
  [UnsupportedMediaTypeError, 415, "UNSUPPORTED_MEDIA_TYPE"],
  [CrossSiteRequestError, 403, "FORBIDDEN"],
];

const SERVICE_UNAVAILABLE: ErrorAnswer = {
  status: 503,
  trpcCode: "SERVICE_UNAVAILABLE",
  message: ErrorMessage.serviceUnavailable,
};

/** The answer to a known failure, or undefined for an unexpected one (a 500 whose cause is logged, not told). */
export function errorAnswerOf(error: unknown): ErrorAnswer | undefined {
  for (const [errorClass, status, trpcCode] of DOMAIN_ERRORS) {
    if (error instanceof errorClass) return { status, trpcCode, message: error.message };
  }
  if (isDatabaseUnavailable(error)) return SERVICE_UNAVAILABLE;
  return undefined;
}
