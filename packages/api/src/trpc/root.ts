import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createCallerFactory, createTRPCRouter } from "./init";
import { agentsRouter } from "./routers/agents";
import { blockListRouter } from "./routers/blockList";
import { entriesRouter } from "./routers/entries";
import { organizationsRouter } from "./routers/organizations";
import { sessionRouter } from "./routers/session";

export const appRouter = createTRPCRouter({
  session: sessionRouter,
  organizations: organizationsRouter,
  agents: agentsRouter,
  blockList: blockListRouter,
  entries: entriesRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures in-process (tests, server components) with a context of your making. */
export const createCaller = createCallerFactory(appRouter);
