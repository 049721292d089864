// The tRPC endpoint served straight from the node:http server (apps/web/server.ts), in front of Next.js: the
// same router, context and fetch adapter as the Next route (apps/web/src/app/api/trpc/[trpc]/route.ts), minus
// Next's per-request work, which is most of the time of a `check` answered from memory (docs/DECISIONS.md,
// "The check path").
import type { IncomingMessage, ServerResponse } from "node:http";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import { createTrpcContext } from "./context";
import { appRouter } from "./root";

export const TRPC_ENDPOINT = "/api/trpc";

// Only the call path comes this way (batched or not, GET or POST as the Next route takes them): the UI's
// procedures keep Next's handling, compression included. Other methods, deeper paths and a trailing slash are
// left to Next.js, which answers them as before.
const CHECK_PATH = /^\/api\/trpc\/blockList\.check(?:\?|$)/;

/** Whether the request is a `blockList.check` call, which `serveTrpc` answers. */
export function isCheckRequest(request: IncomingMessage): boolean {
  return (request.method === "GET" || request.method === "POST") && CHECK_PATH.test(request.url ?? "");
}

/** Answers a tRPC request exactly as the Next route would: status, headers (Set-Cookie too) and body. */
export async function serveTrpc(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const answer = await fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: incomingMessageToRequest(request, response, { maxBodySize: null }),
    router: appRouter,
    createContext: createTrpcContext,
  });
  response.statusCode = answer.status;
  for (const [name, value] of answer.headers) {
    if (name !== "set-cookie") response.setHeader(name, value);
  }
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) response.setHeader("Set-Cookie", cookies);
  const reader = answer.body?.getReader();
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
    response.write(chunk.value);
  }
  response.end();
}
