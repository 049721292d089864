import { z } from "zod";
import { ADD_FAILURE_REASONS, type FailureReason, REMOVE_FAILURE_REASONS, SUCCESS_MESSAGE } from "./messages";
import { isE164 } from "./phone";

export const MAX_NUMBERS_PER_REQUEST = 10_000;
export const MAX_PAGE_LIMIT = 10_000;

function requiredString(field: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
    })
    .min(1, { error: `${field} must not be empty` });
}

// --- Requests ---------------------------------------------------------------------------------------------

// Digits only: "1.5", " 5", "5e3" and "0x10" are refused rather than coerced the way Number() would.
function isPageLimit(value: string): boolean {
  if (!/^\d+$/.test(value)) return false;
  const limit = Number(value);
  return limit >= 1 && limit <= MAX_PAGE_LIMIT;
}

/** GET query: raw query-string values in, `limit` as a number out. Unknown parameters are ignored. */
export const blockListQuerySchema = z.object({
  uid: requiredString("uid"),
  agentId: requiredString("agentId"),
  limit: z
    .string()
    .refine(isPageLimit, { error: `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}` })
    .transform(Number)
    .optional(),
  // Opaque to core: the store that issued it decodes it.
  cursor: z.string().min(1, { error: "cursor must not be empty" }).optional(),
});
export type BlockListQuery = z.output<typeof blockListQuerySchema>;

/** POST and DELETE body. Unknown keys are dropped; an entry that is not a string fails the whole body. */
export const blockListMutationSchema = z.object(
  {
    uid: requiredString("uid"),
    agentId: requiredString("agentId"),
    numbers: z
      .array(z.string({ error: "each number must be a string" }), {
        error: (issue) =>
          issue.input === undefined ? "numbers is required" : "numbers must be an array of strings",
      })
      .min(1, { error: "numbers must contain at least 1 entry" })
      .max(MAX_NUMBERS_PER_REQUEST, {
        error: `numbers must contain at most ${MAX_NUMBERS_PER_REQUEST} entries`,
      }),
  },
  { error: "Body must be a JSON object" },
);
export type BlockListMutation = z.output<typeof blockListMutationSchema>;

// --- Responses --------------------------------------------------------------------------------------------

const e164Number = z.string().refine(isE164, { error: "must be an E.164 phone number" });

export const blockListResponseSchema = z.object({
  blockList: z.array(e164Number),
  count: z.number().int().min(0),
  nextCursor: z.string().optional(),
});
export type BlockListResponse = z.output<typeof blockListResponseSchema>;

/** A number that was not acted on, exactly as the caller sent it. */
export type NumberFailure<Reason extends FailureReason = FailureReason> = {
  number: string;
  reason: Reason;
};

export const addResponseSchema = z.object({
  message: z.literal(SUCCESS_MESSAGE),
  added: z.array(e164Number),
  failed: z.array(z.object({ number: z.string(), reason: z.enum(ADD_FAILURE_REASONS) })),
});
export type AddResponse = z.output<typeof addResponseSchema>;

export const removeResponseSchema = z.object({
  message: z.literal(SUCCESS_MESSAGE),
  removed: z.array(e164Number),
  failed: z.array(z.object({ number: z.string(), reason: z.enum(REMOVE_FAILURE_REASONS) })),
});
export type RemoveResponse = z.output<typeof removeResponseSchema>;

export const requestIssueSchema = z.object({ path: z.string(), message: z.string() });
export type RequestIssue = z.output<typeof requestIssueSchema>;

export const errorResponseSchema = z.object({
  error: z.string(),
  issues: z.array(requestIssueSchema).optional(),
});
export type ErrorResponse = z.output<typeof errorResponseSchema>;

export const organizationsResponseSchema = z.object({
  organizations: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      agents: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
});
export type OrganizationsResponse = z.output<typeof organizationsResponseSchema>;
