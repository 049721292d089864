import { agentNumbersInputSchema, ErrorMessage, numbersUnits, toIssues } from "@blocklist/core";
import { initTRPC, type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { authenticateApiKey } from "../auth";
import { isDatabaseUnavailable } from "../databaseUnavailable";
import {
  AuthenticationError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
} from "../errors";
import { noteApiKey, noteOutcome, noteProcedure, reportError } from "../observability/context";
import { type Admission, charge } from "../rateLimit/admission";
import { admitRequest } from "../rateLimit/process";
import type { TrpcContext } from "./context";

/** The one place that turns a domain error into a tRPC code (REST has its twin in rest/responses.ts). */
function trpcCodeOf(cause: unknown): TRPC_ERROR_CODE_KEY | undefined {
  if (cause instanceof AuthenticationError) return "UNAUTHORIZED";
  if (cause instanceof PermissionError) return "FORBIDDEN";
  if (cause instanceof InvalidRequestError) return "BAD_REQUEST";
  if (cause instanceof NotFoundError) return "NOT_FOUND";
  if (cause instanceof RateLimitedError) return "TOO_MANY_REQUESTS";
  if (isDatabaseUnavailable(cause)) return "SERVICE_UNAVAILABLE";
  return undefined;
}

/** The message a code answers with: its own for domain errors, a fixed one where the cause may hold internals. */
function safeMessage(code: TRPC_ERROR_CODE_KEY, message: string): string {
  if (code === "INTERNAL_SERVER_ERROR") return ErrorMessage.internal;
  if (code === "SERVICE_UNAVAILABLE") return ErrorMessage.serviceUnavailable;
  // tRPC's own text echoes the header back; REST's is the same for every caller.
  if (code === "UNSUPPORTED_MEDIA_TYPE") return ErrorMessage.unsupportedMediaType;
  return message;
}

const t = initTRPC.context<TrpcContext>().create({
  // Never a stack trace in an answer, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const serverFault = error.code === "INTERNAL_SERVER_ERROR" || error.code === "SERVICE_UNAVAILABLE";
    if (serverFault) reportError(error.cause ?? error, "tRPC procedure");
    const issues =
      error.cause instanceof ZodError
        ? toIssues(error.cause)
        : error.cause instanceof InvalidRequestError
          ? error.cause.issues
          : undefined;
    return {
      ...shape,
      message: safeMessage(error.code, shape.message),
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, ...(issues ? { issues } : {}) },
    };
  },
});

const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const code = trpcCodeOf(result.error.cause);
    if (code) {
      const message = safeMessage(code, result.error.cause?.message ?? "");
      throw new TRPCError({ code, message, cause: result.error.cause });
    }
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

// Notes the procedure and what it answered for the request's log line and metrics (observability/).
const observe = t.middleware(async ({ path, next }) => {
  noteProcedure(path);
  const result = await next();
  if (result.ok) noteOutcome(result.data);
  return result;
});

export const publicProcedure = t.procedure.use(observe).use(mapDomainErrors);

/**
 * Procedures for a known caller. Server-to-server callers send X-Authorization; the web UI's requests carry the
 * session cookie instead. Both name an API key, verified the same way, so revoking a key ends both at once.
 * Each call counts its admission unit against the key's rate limit (the REST routes' budget) before its input is
 * parsed; past it, TOO_MANY_REQUESTS (429) with Retry-After.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, path, next }) => {
  const presentedKey = ctx.apiKey ?? ctx.sessionKey;
  noteApiKey(presentedKey);
  const caller = await authenticateApiKey(ctx.db, presentedKey);
  noteApiKey(presentedKey, caller.keyId);
  const decision = ctx.rateLimitDecision;
  const admission = decision?.admission ?? admitRequest(caller, `/api/trpc/${path}`);
  if (decision) decision.admission = admission;
  answerBudget(ctx.resHeaders, admission);
  return next({ ctx: { caller, admission } });
});

/**
 * add and remove: once the input is parsed, the numbers it carries are charged against the key's budget (one unit
 * per started hundred, as on REST); past what is left, TOO_MANY_REQUESTS without doing the work.
 */
export const numbersProcedure = authedProcedure.input(agentNumbersInputSchema).use(({ ctx, input, next }) => {
  const admission = charge(ctx.admission, numbersUnits(input.numbers.length));
  answerBudget(ctx.resHeaders, admission);
  return next({ ctx: { admission } });
});

/** Puts the key's budget on the answer, and refuses the call past it. */
function answerBudget(resHeaders: Headers, admission: Admission): void {
  // In a batch, the last call's view of the budget is the one the answer carries.
  for (const [name, value] of Object.entries(admission.headers)) resHeaders.set(name, value);
  if (admission.refused) throw new RateLimitedError();
}
