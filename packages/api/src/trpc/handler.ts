import type { PrismaClient } from "@blocklist/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { RETRY_AFTER_SECONDS } from "../databaseUnavailable";
import { createTrpcContext, type TrpcContext } from "./context";
import { screenTrpcRequest } from "./requestGuard";
import { appRouter } from "./root";

export const TRPC_ENDPOINT = "/api/trpc";

/**
 * The tRPC endpoint: screens the request (requestGuard.ts), then lets tRPC answer. A refusal is thrown from the
 * context so that tRPC shapes it like every other error (one per call of a batch). `db` is for tests;
 * `rateLimitDecision` is the check path's (see TrpcContext).
 */
export async function handleTrpcRequest(
  req: Request,
  db?: PrismaClient,
  rateLimitDecision?: TrpcContext["rateLimitDecision"],
): Promise<Response> {
  const { request, refusal } = await screenTrpcRequest(req);
  const response = await fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: request,
    router: appRouter,
    createContext: (options) => {
      if (refusal) throw refusal;
      return createTrpcContext(options, db, rateLimitDecision);
    },
    responseMeta: ({ errors }) =>
      errors.some((error) => error.code === "SERVICE_UNAVAILABLE")
        ? { headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } }
        : {},
  });
  // tRPC answers a request it cannot read (an unsupported Content-Type) with a JSON body typed text/plain.
  if (response.body !== null && !response.headers.get("content-type")?.startsWith("application/json")) {
    response.headers.set("Content-Type", "application/json");
  }
  return response;
}
