import { z } from "zod";
import { ADD_FAILURE_REASONS, type FailureReason, REMOVE_FAILURE_REASONS, SUCCESS_MESSAGE } from "./messages";
import { E164_PATTERN, isE164 } from "./phone";

export const MAX_NUMBERS_PER_REQUEST = 10_000;
/** The largest POST/DELETE body the REST route reads (2 MiB): 10,000 formatted numbers fit several times. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_PAGE_LIMIT = 10_000;

/** A non-empty string field, with the messages every route uses for a missing and a mistyped one. */
export function requiredString(field: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
    })
    .min(1, { error: `${field} must not be empty` });
}

// Descriptions below feed the OpenAPI document (./openapi); `.meta()` never changes what a schema accepts.
const uidField = requiredString("uid").meta({
  description: "The user the `X-Authorization` key belongs to (`usr_…`).",
});
const agentIdField = requiredString("agentId").meta({
  description: "An agent (`agt_…`) of one of the user's organizations.",
});

// --- Requests ---------------------------------------------------------------------------------------------

// Digits only: "1.5", " 5", "5e3" and "0x10" are refused rather than coerced the way Number() would.
function isPageLimit(value: string, max: number): boolean {
  if (!/^\d+$/.test(value)) return false;
  const limit = Number(value);
  return limit >= 1 && limit <= max;
}

const pageLimitMessage = (max: number) => `limit must be a whole number from 1 to ${max}`;

/** A page size as query text: digits, from 1 to `max`. */
export function pageLimitText(max: number) {
  return z.string().refine((value) => isPageLimit(value, max), { error: pageLimitMessage(max) });
}

/** A page size as a typed input (tRPC): a whole number from 1 to `max`. */
export function pageLimitNumber(max: number) {
  return z
    .number()
    .int()
    .min(1)
    .max(max, { error: pageLimitMessage(max) });
}

/** GET query: raw query-string values in, `limit` as a number out. Unknown parameters are ignored. */
export const blockListQuerySchema = z.object({
  uid: uidField,
  agentId: agentIdField,
  limit: pageLimitText(MAX_PAGE_LIMIT)
    .meta({
      description: `Page size, a whole number from 1 to ${MAX_PAGE_LIMIT}. Without it the whole list is answered.`,
      pattern: "^[0-9]+$",
    })
    .transform(Number)
    .optional(),
  // Opaque to core: only the service, holding the cursor key, can tell a cursor it issued (packages/api/src/cursor.ts).
  cursor: z
    .string()
    .min(1, { error: "cursor must not be empty" })
    .meta({
      description:
        "The `nextCursor` of the previous page, exactly as it was answered. It is opaque and sealed: it says " +
        "nothing about the list, works on every instance of the service, and only on the list that issued it. " +
        "Any other value (made up, edited, cut short, another agent's cursor, one of an earlier release) is " +
        "a 400 with an issue at path `cursor`.",
    })
    .optional(),
});
export type BlockListQuery = z.output<typeof blockListQuerySchema>;

/**
 * The list a request acts on (numbers, entries, ids): 1 to MAX_NUMBERS_PER_REQUEST elements, with the messages
 * every route uses. `elements` names what the list holds in its type message ("an array of strings").
 */
export function requestList<Element extends z.ZodType>(field: string, element: Element, elements: string) {
  return z
    .array(element, {
      error: (issue) =>
        issue.input === undefined ? `${field} is required` : `${field} must be an array of ${elements}`,
    })
    .min(1, { error: `${field} must contain at least 1 entry` })
    .max(MAX_NUMBERS_PER_REQUEST, {
      error: `${field} must contain at most ${MAX_NUMBERS_PER_REQUEST} entries`,
    });
}

/** POST and DELETE body. Unknown keys are dropped; an entry that is not a string fails the whole body. */
export const blockListMutationSchema = z.object(
  {
    uid: uidField,
    agentId: agentIdField,
    numbers: requestList("numbers", z.string({ error: "each number must be a string" }), "strings").meta({
      description:
        "Phone numbers written internationally (leading `+`); spaces, dashes, dots, brackets and `/` may " +
        "format them. Each entry is answered once, in the answer's list or in `failed`.",
    }),
  },
  { error: "Body must be a JSON object" },
);
export type BlockListMutation = z.output<typeof blockListMutationSchema>;

/** The longest display name of a user, organization or agent. */
export const MAX_DISPLAY_NAME_LENGTH = 200;

/**
 * A display name as the admin CLI sets it. Control characters (NUL among them, which PostgreSQL cannot store)
 * and lone surrogates (which would be stored as U+FFFD, not as given) are refused.
 */
export const displayNameSchema = z
  .string()
  .min(1, { error: "name must not be empty" })
  .max(MAX_DISPLAY_NAME_LENGTH, { error: `name must be at most ${MAX_DISPLAY_NAME_LENGTH} characters` })
  .refine((name) => !/[\p{Cc}\p{Cs}]/u.test(name), {
    error: "name must not contain control characters or unpaired surrogates",
  });

// --- Responses --------------------------------------------------------------------------------------------

const e164Number = z
  .string()
  .refine(isE164, { error: "must be an E.164 phone number" })
  .meta({ description: "A phone number in E.164.", pattern: E164_PATTERN.source });

export const blockListResponseSchema = z.object({
  blockList: z
    .array(e164Number)
    .meta({ description: "The agent's blocked numbers (or this page of them), oldest first." }),
  count: z.number().int().min(0).meta({ description: "How many numbers the whole list holds." }),
  nextCursor: z
    .string()
    .meta({ description: "Present when more numbers follow: send it as `cursor` for the next page." })
    .optional(),
});
export type BlockListResponse = z.output<typeof blockListResponseSchema>;

const failedNumber = z.string().meta({ description: "The entry exactly as it was sent." });

/** A number that was not acted on, exactly as the caller sent it. */
export type NumberFailure<Reason extends FailureReason = FailureReason> = {
  number: string;
  reason: Reason;
};

export const addResponseSchema = z.object({
  message: z.literal(SUCCESS_MESSAGE),
  added: z.array(e164Number).meta({ description: "The numbers this request blocked, in request order." }),
  failed: z.array(z.object({ number: failedNumber, reason: z.enum(ADD_FAILURE_REASONS) })),
});
export type AddResponse = z.output<typeof addResponseSchema>;

export const removeResponseSchema = z.object({
  message: z.literal(SUCCESS_MESSAGE),
  removed: z.array(e164Number).meta({ description: "The numbers this request unblocked, in request order." }),
  failed: z.array(z.object({ number: failedNumber, reason: z.enum(REMOVE_FAILURE_REASONS) })),
});
export type RemoveResponse = z.output<typeof removeResponseSchema>;

export const requestIssueSchema = z.object({
  path: z
    .string()
    .meta({ description: 'The field, its keys joined with "." (`numbers.3`); "" for the whole input.' }),
  message: z.string(),
});
export type RequestIssue = z.output<typeof requestIssueSchema>;

export const errorResponseSchema = z.object({
  error: z.string(),
  issues: z.array(requestIssueSchema).optional(),
});
export type ErrorResponse = z.output<typeof errorResponseSchema>;

export const organizationsResponseSchema = z.object({
  organizations: z.array(
    z.object({
      id: z.string().meta({ description: "`org_…`" }),
      name: z.string(),
      agents: z.array(z.object({ id: z.string().meta({ description: "`agt_…`" }), name: z.string() })),
    }),
  ),
});
export type OrganizationsResponse = z.output<typeof organizationsResponseSchema>;
