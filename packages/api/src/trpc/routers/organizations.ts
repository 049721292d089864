import type { TRPCRouterRecord } from "@trpc/server";
import { listOrganizations } from "../../organizations";
import { authedProcedure } from "../init";

export const organizationsRouter = {
  list: authedProcedure.query(({ ctx }) => listOrganizations(ctx.db, ctx.caller)),
} satisfies TRPCRouterRecord;
