/** Why a single number of a POST or DELETE was not acted on. The texts are part of the API contract. */
export const FailureReason = {
  invalidFormat: "Invalid phone number format",
  alreadyBlocked: "Number already in block list",
  notFound: "Number not found in block list",
  duplicateInRequest: "Duplicate number in request",
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

export const ADD_FAILURE_REASONS = [
  FailureReason.invalidFormat,
  FailureReason.alreadyBlocked,
  FailureReason.duplicateInRequest,
] as const;
export type AddFailureReason = (typeof ADD_FAILURE_REASONS)[number];

export const REMOVE_FAILURE_REASONS = [
  FailureReason.invalidFormat,
  FailureReason.notFound,
  FailureReason.duplicateInRequest,
] as const;
export type RemoveFailureReason = (typeof REMOVE_FAILURE_REASONS)[number];

// A missing key and an unknown or revoked one answer alike, so a caller learns nothing about which keys exist.
const INVALID_API_KEY = "Invalid or missing API key";

/** The `error` text of every non-200 answer. */
export const ErrorMessage = {
  missingKey: INVALID_API_KEY,
  invalidKey: INVALID_API_KEY,
  insufficientPermissions: "Insufficient permissions",
  invalidQuery: "Invalid query parameters",
  invalidBody: "Invalid request body",
  invalidJson: "Request body is not valid JSON",
  bodyTooLarge: "Request body is too large",
  unsupportedMediaType: "Content-Type must be application/json",
  /** The one route that also takes a CSV file: POST /api/block-list-entries. */
  unsupportedEntriesMediaType: "Content-Type must be application/json or text/csv",
  /** A CSV import that cannot be read as a file of entries; its issue names the line. */
  invalidCsv: "Invalid CSV file",
  methodNotAllowed: "Method not allowed",
  /** Request line and headers over Node's 16 KiB limit (431), long queries included. */
  headersTooLarge: "Request headers are too large",
  /** Bytes Node's HTTP parser cannot read as a request (400). */
  malformedRequest: "Malformed HTTP request",
  tooManyRequests: "Too many requests",
  /** A tRPC mutation that a browser says comes from another site (CSRF). */
  crossSiteRequest: "Cross-site request refused",
  internal: "Internal server error",
  /** The database is unreachable, timed out or cut the connection: a 503 with `Retry-After`, worth retrying. */
  serviceUnavailable: "Service unavailable",
  notFound: "Not found",
  invalidMetricsToken: "Invalid or missing metrics token",
} as const;
export type ErrorMessage = (typeof ErrorMessage)[keyof typeof ErrorMessage];

/**
 * The issue of a 400 `Invalid query parameters` for any cursor the service did not issue for that very list:
 * made up, edited, cut short, issued for another list or under another secret.
 */
export const INVALID_CURSOR_ISSUE = { path: "cursor", message: "cursor is not valid" } as const;

export const SUCCESS_MESSAGE = "Block list updated successfully";
