import {
  agentNumbersInputSchema,
  type EntryVia,
  ErrorMessage,
  entriesCreateInputSchema,
  entriesRemoveInputSchema,
  toIssues,
} from "@blocklist/core";
import { getTRPCErrorFromUnknown, initTRPC, type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { admitCaller, admitSession, chargeNumbers } from "../admitCaller";
import { InvalidRequestError } from "../errors";
import { errorAnswerOf } from "../errorTable";
import { noteOutcome, noteProcedure, reportError } from "../observability/context";
import type { Admission } from "../rateLimit/admission";
import type { ResponseHeaders, TrpcContext } from "./context";

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

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A failed call's domain error as its tRPC code and message (errorTable.ts); any other error as it is. */
function withDomainCode(error: TRPCError): TRPCError {
  const answer = errorAnswerOf(error.cause);
  return answer
    ? new TRPCError({ code: answer.trpcCode, message: answer.message, cause: error.cause })
    : error;
}

/** What the rest of a middleware chain answers (tRPC's MiddlewareResult). */
type CallResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };

/**
 * Around every procedure: notes it and what it answered for the request's log line and metrics
 * (observability/), and maps a domain error, thrown by `call` or by the rest of the chain, to its tRPC code.
 * One middleware rather than one per job: tRPC copies a call's options and context at every level of its
 * chain, which cost more than the jobs themselves on the call path (docs/BENCHMARKS.md).
 */
async function observed<R extends CallResult>(path: string, call: () => Promise<R>): Promise<R> {
  noteProcedure(path);
  let result: R;
  try {
    result = await call();
  } catch (cause) {
    throw withDomainCode(getTRPCErrorFromUnknown(cause));
  }
  if (!result.ok) throw withDomainCode(result.error);
  noteOutcome(result.data);
  return result;
}

export const publicProcedure = t.procedure.use(({ path, next }) => observed(path, () => next()));

/**
 * Procedures for a known caller. Server-to-server callers send an API key in X-Authorization (whatever cookie
 * comes with it: a session id there is refused like any unknown key); without it, the web UI's session cookie
 * names a session, bound to a key (sessions.ts). Either way the caller is that key's, so revoking a key ends
 * both. Each call counts its admission unit against the key's rate limit (the REST routes' budget) before its
 * input is parsed; past it, TOO_MANY_REQUESTS (429) with Retry-After.
 */
export const authedProcedure = t.procedure.use(({ ctx, path, next }) =>
  observed(path, async () => {
    const route = `/api/trpc/${path}`;
    // In a batch, the last call's view of the budget is the one the answer carries.
    const setHeader = (name: string, value: string) => ctx.resHeaders.set(name, value);
    const bySession = ctx.apiKey === null && ctx.sessionId !== null;
    const admitted = bySession
      ? await admitSession(ctx, ctx.sessionId as string, ctx.sessions, route, setHeader)
      : await admitCaller(ctx, ctx.apiKey, route, setHeader);
    // What history records as the interface of a change: the web UI signs in with a session.
    const via: EntryVia = bySession ? "ui" : "trpc";
    return next({ ctx: { ...admitted, via } });
  }),
);

/**
 * Charges what a parsed input carries against the key's budget (one unit per started hundred, as on REST); past
 * what is left, TOO_MANY_REQUESTS without doing the work. In a batch, the last call's view of the budget is the
 * one the answer carries.
 */
function chargeInput(ctx: { admission: Admission; resHeaders: ResponseHeaders }, count: number) {
  return chargeNumbers(ctx.admission, count, (name, value) => ctx.resHeaders.set(name, value));
}

/** add and remove: `{ agentId, numbers }`, the numbers charged. */
export const numbersProcedure = authedProcedure
  .input(agentNumbersInputSchema)
  .use(({ ctx, input, next }) => next({ ctx: { admission: chargeInput(ctx, input.numbers.length) } }));

/** entries.create: its entries charged. */
export const entriesCreateProcedure = authedProcedure
  .input(entriesCreateInputSchema)
  .use(({ ctx, input, next }) => next({ ctx: { admission: chargeInput(ctx, input.entries.length) } }));

/** entries.remove: its ids charged. */
export const entriesRemoveProcedure = authedProcedure
  .input(entriesRemoveInputSchema)
  .use(({ ctx, input, next }) => next({ ctx: { admission: chargeInput(ctx, input.ids.length) } }));
