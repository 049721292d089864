import { ErrorMessage, FailureReason, INVALID_CURSOR_ISSUE, SUCCESS_MESSAGE } from "../messages";
import {
  type AddResponse,
  type BlockListResponse,
  type ErrorResponse,
  MAX_PAGE_LIMIT,
  type OrganizationsResponse,
  type RemoveResponse,
} from "../schemas";
import type { ExampleSetup } from "./types";

/**
 * The customer every example is about. Its ids are placeholders: whoever runs an example (the examples test,
 * a reader with curl) creates this user, organization and agents and puts the real ids in their place.
 */
export const EXAMPLE_TENANT = {
  uid: "usr_7Kq2mXvB9cLp4RtZ8sWd",
  organization: { id: "org_3Hn8QfYe1JvU6aTk0GzM", name: "Acme Support" },
  /** Created in this order in the organization; examples act on the first. */
  agents: [
    { id: "agt_5Rb1WcE9xNs2LmQ7yVoP", name: "Front desk" },
    { id: "agt_8Dz4TgK6pHa3UjN1wFqC", name: "After hours" },
  ],
  /** An agent of another customer: refused exactly like one that does not exist. */
  otherCustomersAgentId: "agt_2Yx9VmR5eBk7SoL4cJtA",
  /** Another customer's organization: refused exactly like one that does not exist. */
  otherCustomersOrgId: "org_6Pw3ZaN8uCq1XeT5kLbR",
  /** The first characters of the user's read-write key, as an entry's `createdBy.keyPrefix` shows them. */
  keyPrefix: "bl_4jVx9Q",
  // Made by the server, different every time; each run answers its own, at the place the example shows them.
  /** A `nextCursor` as the server issues it (50 characters). */
  cursor: "AQx3kF0Ml2nVq8sT1bYcZ9eHgRjW4pDa7uNiEo5fK6yLr3hGm0",
  /** The ids of entries the example's own request creates. */
  newEntryIds: [
    "ent_9Tg2LsQ7cWx4NbE1vKmZ",
    "ent_3Jd8RkV0pYh6FuA2sXqN",
    "ent_7Mc5WzB1nLt9GeP4rDyH",
    "ent_1Hq6XpF3bRn8ZsC0wJtV",
  ],
  /** The ids of history events (`evt_…`), newest first as the history lists them. */
  eventIds: ["evt_6Wn3KsT8dLq1ZbR5xVcM", "evt_2Pf9HtY4mAe7UjN0kGsB", "evt_8Ck1VxQ5rJz3MwE6pTnD"],
  /**
   * Instants the server sets: `createdAt` (one for all the entries of one request) and the `expiresAt` an
   * `expiresIn` gives. The same placeholder twice in one answer is the same instant.
   */
  instants: {
    created: "2026-12-01T09:30:00.000Z",
    createdNext: "2026-12-01T09:31:00.000Z",
    createdLast: "2026-12-01T09:32:00.000Z",
    inSevenDays: "2026-12-08T09:30:00.000Z",
    inThirtyDays: "2026-12-31T09:30:00.000Z",
  },
} as const;

const uid = EXAMPLE_TENANT.uid;
const agentId = EXAMPLE_TENANT.agents[0].id;

/** One request and the answer it gets; the document spreads it over parameters, request body and responses. */
export interface ApiExample {
  summary: string;
  description?: string;
  setup?: ExampleSetup;
  /** The query string, parameter by parameter (GET). */
  query?: Record<string, string>;
  /** The JSON body (POST, DELETE). */
  body?: unknown;
  /** A body that is sent as this text, because it is not JSON at all. */
  rawBody?: string;
  status: 200 | 400 | 401 | 404 | 405;
  response: unknown;
}

export const invalidKey = { error: ErrorMessage.invalidKey } satisfies ErrorResponse;
export const insufficientPermissions = {
  error: ErrorMessage.insufficientPermissions,
} satisfies ErrorResponse;

// POST and DELETE refuse a read-only key alike.
const readOnlyKeyChange: ApiExample = {
  summary: "A read-only key",
  setup: { apiKey: "read-only" },
  body: { uid, agentId, numbers: ["+14155552671"] },
  status: 401,
  response: insufficientPermissions,
};
const methodNotAllowed = { error: ErrorMessage.methodNotAllowed } satisfies ErrorResponse;

export const listBlockedNumbersExamples: Record<string, ApiExample> = {
  wholeList: {
    summary: "The whole list",
    setup: { blockList: ["+14155552671", "+442079460958"] },
    query: { uid, agentId },
    status: 200,
    response: { blockList: ["+14155552671", "+442079460958"], count: 2 } satisfies BlockListResponse,
  },
  firstPage: {
    summary: "The first page of a longer list",
    description: "`nextCursor` is present because more numbers follow; `count` is the whole list.",
    setup: { blockList: ["+14155552671", "+442079460958", "+33142685300"] },
    query: { uid, agentId, limit: "2" },
    status: 200,
    response: {
      blockList: ["+14155552671", "+442079460958"],
      count: 3,
      nextCursor: EXAMPLE_TENANT.cursor,
    } satisfies BlockListResponse,
  },
  missingAgentId: {
    summary: "No agentId",
    query: { uid },
    status: 400,
    response: {
      error: ErrorMessage.invalidQuery,
      issues: [{ path: "agentId", message: "agentId is required" }],
    } satisfies ErrorResponse,
  },
  limitOutOfRange: {
    summary: "A limit above the largest page",
    query: { uid, agentId, limit: String(MAX_PAGE_LIMIT + 1) },
    status: 400,
    response: {
      error: ErrorMessage.invalidQuery,
      issues: [{ path: "limit", message: `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}` }],
    } satisfies ErrorResponse,
  },
  unknownCursor: {
    summary: "A cursor the server did not issue",
    query: { uid, agentId, limit: "2", cursor: "abc" },
    status: 400,
    response: { error: ErrorMessage.invalidQuery, issues: [INVALID_CURSOR_ISSUE] } satisfies ErrorResponse,
  },
  oldCursor: {
    summary: "A cursor of an earlier release",
    description:
      "Cursors were once the base64url of a row number (`n:9999999999999999999` here). They are refused like " +
      "any cursor not issued for this very list: start again from the first page.",
    query: { uid, agentId, limit: "2", cursor: "bjo5OTk5OTk5OTk5OTk5OTk5OTk5" },
    status: 400,
    response: { error: ErrorMessage.invalidQuery, issues: [INVALID_CURSOR_ISSUE] } satisfies ErrorResponse,
  },
  missingKey: {
    summary: "No X-Authorization header",
    setup: { apiKey: "none" },
    query: { uid, agentId },
    status: 401,
    response: invalidKey,
  },
  otherCustomersAgent: {
    summary: "Another customer's agent",
    description: "An agent that does not exist answers exactly the same.",
    query: { uid, agentId: EXAMPLE_TENANT.otherCustomersAgentId },
    status: 401,
    response: insufficientPermissions,
  },
};

export const addBlockedNumbersExamples: Record<string, ApiExample> = {
  partialFailure: {
    summary: "Formatted, repeated and invalid numbers",
    description: "Formatting is fine; each entry is answered once; partial failure is a 200.",
    body: { uid, agentId, numbers: ["+1 (415) 555-2671", "+44 20 7946 0958", "+14155552671", "4155552671"] },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      added: ["+14155552671", "+442079460958"],
      failed: [
        { number: "+14155552671", reason: FailureReason.duplicateInRequest },
        { number: "4155552671", reason: FailureReason.invalidFormat },
      ],
    } satisfies AddResponse,
  },
  nothingAdded: {
    summary: "Every number fails",
    description:
      "Still a 200. `+1234567890` is well-formed but not a valid number; the other one was already blocked.",
    setup: { blockList: ["+14155552671"] },
    body: { uid, agentId, numbers: ["+1 415-555-2671", "+1234567890"] },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      added: [],
      failed: [
        { number: "+1 415-555-2671", reason: FailureReason.alreadyBlocked },
        { number: "+1234567890", reason: FailureReason.invalidFormat },
      ],
    } satisfies AddResponse,
  },
  emptyNumbers: {
    summary: "No numbers",
    body: { uid, agentId, numbers: [] },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "numbers", message: "numbers must contain at least 1 entry" }],
    } satisfies ErrorResponse,
  },
  entryNotAString: {
    summary: "An entry that is not a string",
    description: "The whole request is refused; nothing is added.",
    body: { uid, agentId, numbers: ["+14155552671", 14155552671] },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "numbers.1", message: "each number must be a string" }],
    } satisfies ErrorResponse,
  },
  notJson: {
    summary: "A body that is not JSON",
    description: "The body is this text, cut short.",
    rawBody: `{"uid": "${uid}", "agentId": "${agentId}", "numbers": ["+14155552671"`,
    status: 400,
    response: { error: ErrorMessage.invalidJson } satisfies ErrorResponse,
  },
  unknownKey: {
    summary: "A key that does not exist",
    description: "A missing or revoked key answers exactly the same.",
    setup: { apiKey: "unknown" },
    body: { uid, agentId, numbers: ["+14155552671"] },
    status: 401,
    response: invalidKey,
  },
  readOnlyKey: readOnlyKeyChange,
};

export const removeBlockedNumbersExamples: Record<string, ApiExample> = {
  partialFailure: {
    summary: "Removed, not on the list, repeated and invalid",
    setup: { blockList: ["+14155552671", "+442079460958"] },
    body: { uid, agentId, numbers: ["+14155552671", "+33 1 42 68 53 00", "+1 (415) 555-2671", "555-2671"] },
    status: 200,
    response: {
      message: SUCCESS_MESSAGE,
      removed: ["+14155552671"],
      failed: [
        { number: "+33 1 42 68 53 00", reason: FailureReason.notFound },
        { number: "+1 (415) 555-2671", reason: FailureReason.duplicateInRequest },
        { number: "555-2671", reason: FailureReason.invalidFormat },
      ],
    } satisfies RemoveResponse,
  },
  missingNumbers: {
    summary: "No numbers field",
    body: { uid, agentId },
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "numbers", message: "numbers is required" }],
    } satisfies ErrorResponse,
  },
  notAnObject: {
    summary: "A body that is not an object",
    body: ["+14155552671"],
    status: 400,
    response: {
      error: ErrorMessage.invalidBody,
      issues: [{ path: "", message: "Body must be a JSON object" }],
    } satisfies ErrorResponse,
  },
  revokedKey: {
    summary: "A revoked key",
    description: "Refused from the first request after the revocation.",
    setup: { apiKey: "revoked" },
    body: { uid, agentId, numbers: ["+14155552671"] },
    status: 401,
    response: invalidKey,
  },
  readOnlyKey: readOnlyKeyChange,
};

export const listOrganizationsExamples: Record<string, ApiExample> = {
  organizations: {
    summary: "The user's organization and its agents",
    status: 200,
    response: {
      organizations: [
        {
          id: EXAMPLE_TENANT.organization.id,
          name: EXAMPLE_TENANT.organization.name,
          agents: EXAMPLE_TENANT.agents.map(({ id, name }) => ({ id, name })),
        },
      ],
    } satisfies OrganizationsResponse,
  },
  missingKey: {
    summary: "No X-Authorization header",
    setup: { apiKey: "none" },
    status: 401,
    response: invalidKey,
  },
};

export const methodNotAllowedExamples: Record<string, ApiExample> = {
  methodNotAllowed: {
    summary: "An unsupported method",
    description: "Answered before the key is checked.",
    setup: { apiKey: "none" },
    status: 405,
    response: methodNotAllowed,
  },
};
