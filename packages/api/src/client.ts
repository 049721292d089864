import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { API_KEY_HEADER } from "./admitCaller";
import type { AppRouter } from "./trpc/root";

export interface BlockListClientOptions {
  /** The service's tRPC endpoint, e.g. `http://blocklist.internal:3000/api/trpc`. */
  url: string;
  /** An API key (`bl_…`); read-only keys may list and check. */
  apiKey: string;
  /** A fetch of your own (timeouts, agents, tests); the global one by default. */
  fetch?: typeof fetch;
}

/**
 * A typed client for internal TypeScript callers:
 * `await createBlockListClient({ url, apiKey }).blockList.check.query({ agentId, number })`.
 */
export function createBlockListClient(options: BlockListClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: options.url,
        headers: { [API_KEY_HEADER]: options.apiKey },
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    ],
  });
}

export type BlockListClient = ReturnType<typeof createBlockListClient>;
export type { AppRouter, RouterInputs, RouterOutputs } from "./trpc/root";
