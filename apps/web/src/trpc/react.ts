import type { AppRouter } from "@blocklist/api/trpc";
import { createTRPCContext } from "@trpc/tanstack-react-query";

/** Typed hooks for the UI: `useTRPC()` gives query and mutation options for every procedure. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
