import { ErrorMessage } from "@blocklist/core";

export interface RequestIssue {
  path: string;
  message: string;
}

/** Step 1 of the contract's check order: the key is missing, unknown or revoked. */
export class AuthenticationError extends Error {
  constructor() {
    super(ErrorMessage.invalidKey);
    this.name = "AuthenticationError";
  }
}

/** Step 2: the query or body does not have the shape the contract asks for. */
export class InvalidRequestError extends Error {
  constructor(
    message: string,
    readonly issues: RequestIssue[] = [],
  ) {
    super(message);
    this.name = "InvalidRequestError";
  }
}

/** Step 2, before the body is read: it is larger than the route accepts (413). */
export class BodyTooLargeError extends Error {
  constructor() {
    super(ErrorMessage.bodyTooLarge);
    this.name = "BodyTooLargeError";
  }
}

/** Step 2, before the body is read: its Content-Type is missing or not one the route takes (415). */
export class UnsupportedMediaTypeError extends Error {
  constructor(message: string = ErrorMessage.unsupportedMediaType) {
    super(message);
    this.name = "UnsupportedMediaTypeError";
  }
}

/** Right after step 1: the key has used up its request budget for the current window (429). */
export class RateLimitedError extends Error {
  constructor() {
    super(ErrorMessage.tooManyRequests);
    this.name = "RateLimitedError";
  }
}

/**
 * Step 3: the key is valid but may not act here. A missing agent and a foreign agent both end here,
 * with the same message, so that other customers' ids cannot be probed.
 */
export class PermissionError extends Error {
  constructor() {
    super(ErrorMessage.insufficientPermissions);
    this.name = "PermissionError";
  }
}

/** A domain error that an admin command reports to the operator (unknown user, organization, key). */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

/** A browser sent a mutation from another site (CSRF guard of /api/trpc). */
export class CrossSiteRequestError extends Error {
  constructor() {
    super(ErrorMessage.crossSiteRequest);
    this.name = "CrossSiteRequestError";
  }
}

/**
 * An admin command refused because it would leave data that no one can reach (an organization without members,
 * agents without anyone to manage them). Nothing was changed; the message says what to do first.
 */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}
