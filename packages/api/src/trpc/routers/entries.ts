import { entriesListInputSchema, entriesUpdateInputSchema, historyInputSchema } from "@blocklist/core";
import type { TRPCRouterRecord } from "@trpc/server";
import { createEntries, listEntries, listHistory, removeEntries, updateEntry } from "../../entries";
import { authedProcedure, entriesCreateProcedure, entriesRemoveProcedure } from "../init";

// The same service functions as /api/block-list-entries; the caller is always its own user.
export const entriesRouter = {
  list: authedProcedure
    .input(entriesListInputSchema)
    .query(({ ctx, input }) => listEntries(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId })),

  create: entriesCreateProcedure.mutation(({ ctx, input }) =>
    createEntries(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId }, ctx.via),
  ),

  update: authedProcedure
    .input(entriesUpdateInputSchema)
    .mutation(({ ctx, input }) =>
      updateEntry(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId }, ctx.via),
    ),

  remove: entriesRemoveProcedure.mutation(({ ctx, input }) =>
    removeEntries(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId }, ctx.via),
  ),

  /** The list's changes, newest first. */
  history: authedProcedure
    .input(historyInputSchema)
    .query(({ ctx, input }) => listHistory(ctx.db, ctx.caller, { ...input, uid: ctx.caller.userId })),
} satisfies TRPCRouterRecord;
