import type { TRPCRouterRecord } from "@trpc/server";
import { listOrganizations } from "../../organizations";
import { authedProcedure } from "../init";

export const agentsRouter = {
  /** Every agent the caller may manage, flat, with its organization: what an agent picker needs. */
  list: authedProcedure.query(async ({ ctx }) => {
    const { organizations } = await listOrganizations(ctx.db, ctx.caller);
    return {
      agents: organizations.flatMap((organization) =>
        organization.agents.map((agent) => ({
          ...agent,
          orgId: organization.id,
          orgName: organization.name,
        })),
      ),
    };
  }),
} satisfies TRPCRouterRecord;
