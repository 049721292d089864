import { z } from "zod";
import { CHECK_DIRECTIONS } from "./entries/fields";
import { blockListMutationSchema, blockListQuerySchema, MAX_PAGE_LIMIT, pageLimitNumber } from "./schemas";

// Inputs of the typed (tRPC) procedures. They reuse the REST fields and their messages; `uid` is gone because
// the caller's identity comes from the key or the session, and `limit` is a number rather than query text.

/** add and remove: an agent and 1–10,000 numbers. */
export const agentNumbersInputSchema = blockListMutationSchema.omit({ uid: true });
export type AgentNumbersInput = z.output<typeof agentNumbersInputSchema>;

/** One page of an agent's list, optionally only the numbers containing some digits. */
export const blockListPageInputSchema = blockListQuerySchema.pick({ agentId: true, cursor: true }).extend({
  limit: pageLimitNumber(MAX_PAGE_LIMIT).optional(),
  // What a person types to find a number; only its digits count. A full E.164 number has at most 15.
  search: z.string().max(64, { error: "search must be at most 64 characters" }).optional(),
});
export type BlockListPageInput = z.output<typeof blockListPageInputSchema>;

/** Which calls a check asks about: `inbound` (may this caller reach the agent?) unless `outbound` is given. */
export const checkDirectionField = z
  .enum(CHECK_DIRECTIONS, { error: `direction must be one of ${CHECK_DIRECTIONS.join(", ")}` })
  .default("inbound")
  .meta({
    description:
      "`inbound` (the default): may this caller reach the agent? `outbound`: may the agent call this number?",
  });

/** The call path: is this caller blocked for this agent? */
export const checkInputSchema = blockListQuerySchema.pick({ agentId: true }).extend({
  number: z.string({ error: "number must be a string" }),
  direction: checkDirectionField,
});
export type CheckInput = z.output<typeof checkInputSchema>;

export const signInInputSchema = z.object({
  apiKey: z.string().trim().min(1, { error: "apiKey is required" }).max(256, { error: "apiKey is too long" }),
});

/** The digits of a search text, or undefined when there are none to search for. */
export function searchDigits(search: string | undefined): string | undefined {
  const digits = search?.replace(/\D/g, "");
  return digits ? digits : undefined;
}
