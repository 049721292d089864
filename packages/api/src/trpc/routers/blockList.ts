import { blockListPageInputSchema, checkInputSchema, MAX_PAGE_LIMIT } from "@blocklist/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { addBlockedNumbers, listBlockedNumbers, removeBlockedNumbers } from "../../blockList";
import { checkCaller } from "../../entries";
import { authedProcedure, numbersProcedure } from "../init";

// The same service functions as the REST route. A typed caller is always acting as its own user, so `uid`
// is the caller's rather than an input.
export const blockListRouter = {
  list: authedProcedure
    .input(blockListPageInputSchema)
    // At most MAX_PAGE_LIMIT numbers an answer: a longer list pages on (nextCursor), so no answer holds it whole.
    .query(({ ctx, input }) =>
      listBlockedNumbers(ctx.db, ctx.caller, {
        ...input,
        limit: input.limit ?? MAX_PAGE_LIMIT,
        uid: ctx.caller.userId,
      }),
    ),

  // `{ agentId, numbers }`, its numbers charged against the key's budget (numbersProcedure).
  add: numbersProcedure.mutation(({ ctx, input }) =>
    addBlockedNumbers(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId }, ctx.via),
  ),

  remove: numbersProcedure.mutation(({ ctx, input }) =>
    removeBlockedNumbers(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId }, ctx.via),
  ),

  /** The call path: which entry decides this caller for this agent, and does it block? */
  check: authedProcedure
    .input(checkInputSchema)
    .query(({ ctx, input }) => checkCaller(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId })),
} satisfies TRPCRouterRecord;
