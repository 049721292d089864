import type { AppRouter } from "@blocklist/api/trpc";
import { TRPCClientError } from "@trpc/client";

type ServiceError = TRPCClientError<AppRouter>;

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof TRPCClientError;
}

export function hasErrorCode(error: unknown, code: "UNAUTHORIZED" | "FORBIDDEN" | "BAD_REQUEST"): boolean {
  return isServiceError(error) && error.data?.code === code;
}

/** Answers that another try cannot change (4xx) are not retried, so the person sees them at once. */
export function isRetryable(error: unknown): boolean {
  const status = isServiceError(error) ? error.data?.httpStatus : undefined;
  return status === undefined || status >= 500;
}

/** A sentence for a person: the server's own message when it answered, a plain fallback when it did not. */
export function describeError(error: unknown): string {
  if (isServiceError(error) && error.data) {
    return error.data.issues?.[0]?.message ?? error.message;
  }
  return "The service could not be reached. Check your connection and try again.";
}

/** The message of the service's issue at `path` (a 400's `data.issues`), if it named one there. */
export function issueAt(error: unknown, ...paths: string[]): string | undefined {
  if (!isServiceError(error)) return undefined;
  return error.data?.issues?.find((issue) => paths.includes(issue.path))?.message;
}
