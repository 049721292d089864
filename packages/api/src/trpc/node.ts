// blockList.check served straight from the node:http server (apps/web/server.ts), in front of Next.js: the same
// router, context rules and middlewares as the Next route (apps/web/src/app/api/trpc/[trpc]/route.ts), minus
// Next's per-request work, which is most of the time of a check answered from memory (docs/DECISIONS.md,
// "The check path").
import type { IncomingMessage, ServerResponse } from "node:http";
import { getPrismaClient } from "@blocklist/db";
import { incomingMessageToRequest } from "@trpc/server/adapters/node-http";
import { currentObservation } from "../observability/context";
import { type TrpcContext, trpcContextOf } from "./context";
import { handleTrpcRequest } from "./handler";
import { createCaller } from "./root";

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
  // Shared by both attempts at the call, so that it counts once against the key's rate limit.
  const rateLimitDecision = {};
  if (await answeredPlainCheck(request, response, rateLimitDecision)) return;
  // The endpoint's own handler, request guard included (body size, Content-Type, cross-site), as under Next.
  const answer = await handleTrpcRequest(
    incomingMessageToRequest(request, response, { maxBodySize: null }),
    undefined,
    rateLimitDecision,
  );
  response.statusCode = answer.status;
  for (const [name, value] of answer.headers) {
    if (name !== "set-cookie") response.setHeader(name, value);
  }
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) response.setHeader("Set-Cookie", cookies);
  // A check answers a few dozen bytes: one write, with its length (a streamed batch goes out once complete).
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/**
 * The call path's usual request — one GET check, `?input=` only, that succeeds — through the procedure itself
 * (createCaller: the same input schema and middlewares), without building a fetch Request and Response. The
 * answer is what tRPC's resolveResponse writes for a successful query. Anything else, and any failure, returns
 * false having written nothing, and the full adapter answers (its error shapes are tRPC's own).
 */
async function answeredPlainCheck(
  request: IncomingMessage,
  response: ServerResponse,
  rateLimitDecision: NonNullable<TrpcContext["rateLimitDecision"]>,
): Promise<boolean> {
  const url = request.url ?? "";
  const queryStart = url.indexOf("?");
  if (request.method !== "GET" || queryStart < 0) return false;
  const query = new URLSearchParams(url.slice(queryStart + 1));
  const rawInput = query.get("input");
  if (rawInput === null || [...query.keys()].length !== 1) return false;
  let input: unknown;
  try {
    input = JSON.parse(rawInput);
  } catch {
    return false;
  }

  const resHeaders = new Headers();
  const context = trpcContextOf(
    {
      header: (name) => {
        const value = request.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(", ") : (value ?? null);
      },
    },
    resHeaders,
    getPrismaClient(),
    rateLimitDecision,
  );
  const observation = currentObservation();
  const notedProcedures = observation?.procedures.length ?? 0;
  let data: unknown;
  try {
    data = await createCaller(context).blockList.check(input as never);
  } catch {
    // The full adapter runs the procedure again and notes it itself.
    if (observation) observation.procedures.length = notedProcedures;
    return false;
  }
  response.statusCode = 200;
  response.setHeader("vary", "trpc-accept, accept");
  for (const [name, value] of resHeaders) response.setHeader(name, value);
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ result: { data } }));
  return true;
}
