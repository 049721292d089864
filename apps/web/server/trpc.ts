// /api/trpc/* through tRPC's own Fastify handler, plus one lane beside it for the call path: a plain GET of
// blockList.check (no batch) calls the procedure through createCaller and answers in tRPC's wire format, built
// with tRPC's own helpers, without the fetch Request and Response the adapter makes per call
// (docs/DECISIONS.md, "The check path"). A call runs once, whichever way it goes.
import {
  CrossSiteRequestError,
  errorAnswerOf,
  RETRY_AFTER_SECONDS,
  UnsupportedMediaTypeError,
} from "@blocklist/api";
import type { RateLimiter } from "@blocklist/api/rateLimit";
import {
  appRouter,
  createCaller,
  type TrpcContext,
  trpcContextOf,
  type WebSessionOptions,
} from "@blocklist/api/trpc";
import type { PrismaClient } from "@blocklist/db";
import { TRPCError } from "@trpc/server";
import { fastifyRequestHandler } from "@trpc/server/adapters/fastify";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { getErrorShape, getTRPCErrorFromUnknown } from "@trpc/server/unstable-core-do-not-import";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isJsonContentType } from "./bodies";
import { isCrossSiteRequest } from "./crossSite";

export const TRPC_ROUTE = "/api/trpc/:path";
/** The most calls one batch may hold; more is a 400 that says so. */
export const MAX_BATCH_SIZE = 20;
const CHECK_PROCEDURE = "blockList.check";

function headerOf(request: FastifyRequest) {
  return (name: string): string | null => {
    const value = request.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  };
}

/** What the tRPC routes are handed at start: the database, the rate limiter, and how web UI sessions behave. */
export interface TrpcServices {
  db: PrismaClient;
  rateLimiter: RateLimiter | undefined;
  webSessions: WebSessionOptions;
}

function contextOf(
  request: FastifyRequest,
  resHeaders: TrpcContext["resHeaders"],
  services: TrpcServices,
): TrpcContext {
  return trpcContextOf({ header: headerOf(request) }, resHeaders, services, services.webSessions);
}

/** Headers a procedure adds, through Fastify's reply (which sends them with its answer). */
const replyHeaders = (reply: FastifyReply): TrpcContext["resHeaders"] => ({
  set: (name, value) => void reply.header(name, value),
  append: (name, value) => void reply.header(name, value),
});

/** Headers a procedure adds, straight on the response: the check lane writes its answer itself. */
const rawHeaders = (reply: FastifyReply): TrpcContext["resHeaders"] => ({
  set: (name, value) => void reply.raw.setHeader(name, value),
  append: (name, value) => void reply.raw.appendHeader(name, value),
});

const retryAfterOnOutage = ({ errors }: { errors: { code: string }[] }) =>
  errors.some((error) => error.code === "SERVICE_UNAVAILABLE")
    ? { headers: { "Retry-After": String(RETRY_AFTER_SECONDS) } }
    : {};

/**
 * Refuses a mutation before its body is read: from another site (CSRF; the session cookie is SameSite=Strict
 * already, this is the second lock) or with a body that is not JSON (tRPC would also take multipart and
 * octet-stream, which a cross-site form can send and no procedure of ours takes). Its size is the body reader's.
 */
export function screenTrpcRequest(request: FastifyRequest): void {
  if (request.method !== "POST") return;
  if (isCrossSiteRequest(headerOf(request))) throw new CrossSiteRequestError();
  if (!isJsonContentType(request.headers["content-type"])) throw new UnsupportedMediaTypeError();
}

/** A refusal of the HTTP layer as tRPC's error (the procedures' middleware maps their own). */
function asTrpcError(error: unknown): TRPCError {
  const answer = errorAnswerOf(error);
  return answer === undefined
    ? getTRPCErrorFromUnknown(error)
    : new TRPCError({ code: answer.trpcCode, message: answer.message, cause: error });
}

/**
 * The reply as tRPC's handler sees it: its answer goes out typed JSON, since tRPC types some of its own JSON
 * errors (a request it cannot read, procedure types mixed in a batch) text/plain.
 */
function replyTypingJson(reply: FastifyReply): FastifyReply {
  const send = (response: Response) => {
    if (!response.headers.get("content-type")?.startsWith("application/json")) {
      response.headers.set("content-type", "application/json");
    }
    return reply.send(response);
  };
  return { raw: reply.raw, send } as unknown as FastifyReply;
}

/** Answers a tRPC request through tRPC's Fastify handler; with `refusal`, every call of it answers that error. */
export async function answerTrpc(
  request: FastifyRequest<{ Params: { path: string } }>,
  reply: FastifyReply,
  services: TrpcServices,
  refusal?: unknown,
): Promise<void> {
  if (refusal !== undefined) {
    // A refused request's body is never read, so what it declared no longer matters: tRPC would answer a
    // Content-Type it cannot read with its own 415, typed text/plain, before hearing of the refusal.
    (request as { body?: unknown }).body ??= "";
    request.headers["content-type"] = "application/json";
  }
  const refusalError = refusal === undefined ? undefined : asTrpcError(refusal);
  await fastifyRequestHandler({
    req: request,
    res: replyTypingJson(reply),
    path: request.params.path,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => {
      if (refusalError !== undefined) throw refusalError;
      return contextOf(request, replyHeaders(reply), services);
    },
    responseMeta: retryAfterOnOutage,
  });
}

/** The check lane's input, when the request is one it takes: GET, not batched, `?input=` and nothing else. */
function plainCheckInput(
  request: FastifyRequest<{ Params: { path: string } }>,
): { input: unknown } | undefined {
  if (request.method !== "GET" || request.params.path !== CHECK_PROCEDURE) return undefined;
  const query = request.query as Record<string, unknown>;
  const keys = Object.keys(query);
  if (keys.length !== 1 || typeof query.input !== "string") return undefined;
  try {
    return { input: JSON.parse(query.input) };
  } catch {
    return undefined;
  }
}

// What every successful check answer carries besides the per-answer headers set before (security, request id,
// rate limit): the same as tRPC's handler sends.
const CHECK_ANSWER_HEADERS = { vary: "trpc-accept, accept", "content-type": "application/json" };

/**
 * The call path: one check through createCaller, its answer or its error in tRPC's format. A success, the
 * answer to nearly every call, is written straight to the response in one piece, past Fastify's reply
 * pipeline: no onSend or onResponse hook exists to skip (observe.ts listens on the response itself), and one
 * added later would have to be run here. A failure goes through Fastify's reply.
 */
async function answerCheck(
  request: FastifyRequest,
  reply: FastifyReply,
  services: TrpcServices,
  input: unknown,
): Promise<void> {
  const ctx = contextOf(request, rawHeaders(reply), services);
  let data: unknown;
  try {
    data = await createCaller(ctx).blockList.check(input as never);
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    const shape = getErrorShape({
      config: appRouter._def._config,
      error,
      type: "query",
      path: CHECK_PROCEDURE,
      input,
      ctx,
    });
    reply.headers(CHECK_ANSWER_HEADERS);
    reply.headers(retryAfterOnOutage({ errors: [error] }).headers ?? {});
    await reply.code(getHTTPStatusCodeFromError(error)).send(Buffer.from(JSON.stringify({ error: shape })));
    return;
  }
  const body = JSON.stringify({ result: { data } });
  reply.hijack();
  reply.raw.writeHead(200, { ...CHECK_ANSWER_HEADERS, "content-length": Buffer.byteLength(body) });
  reply.raw.end(body);
}

export async function handleTrpc(
  request: FastifyRequest<{ Params: { path: string } }>,
  reply: FastifyReply,
  services: TrpcServices,
): Promise<void> {
  const check = plainCheckInput(request);
  if (check) return answerCheck(request, reply, services, check.input);
  return answerTrpc(request, reply, services);
}
