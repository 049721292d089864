// How /api/* answers outside tRPC: JSON always (`application/json`, as every client of this API was told), a
// domain error through the one table (packages/api/src/errorTable.ts), never a stack trace or a database message.

import { Readable } from "node:stream";
import { type EntriesCsv, errorAnswerOf, InvalidRequestError, RETRY_AFTER_SECONDS } from "@blocklist/api";
import { noteRoute, reportError } from "@blocklist/api/observability";
import { CSV_CONTENT_TYPE, ErrorMessage, type ErrorResponse } from "@blocklist/core";
import type { FastifyInstance, FastifyReply } from "fastify";

/** JSON as bytes: Fastify would add `; charset=utf-8` to a string's type, which no answer of this API had. */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header("content-type", "application/json")
    .send(Buffer.from(JSON.stringify(body)));
}

/** A 200 whose JSON text streams out as it is read, with backpressure; a failure halfway cuts the connection. */
export function sendJsonStream(reply: FastifyReply, pieces: AsyncIterable<string>): FastifyReply {
  return reply.code(200).header("content-type", "application/json").send(Readable.from(pieces));
}

/** Whether the request's Accept names `text/csv` (with a q above 0): the list is answered as a CSV file. */
export function acceptsCsv(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((range) => {
    const [type, ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    return type === "text/csv" && !parameters.some((parameter) => /^q=0(\.0*)?$/.test(parameter));
  });
}

/** A 200 CSV download that streams out as it is read, with backpressure; a failure halfway cuts the connection. */
export function sendCsv(reply: FastifyReply, { filename, csv }: EntriesCsv): FastifyReply {
  return reply
    .code(200)
    .header("content-type", CSV_CONTENT_TYPE)
    .header("content-disposition", `attachment; filename="${filename}"`)
    .send(csv);
}

/** What a REST route answers for an error: its status and JSON body from the table, else a logged 500. */
export function restErrorOf(error: unknown): { status: number; body: ErrorResponse } {
  const answer = errorAnswerOf(error);
  if (answer === undefined) {
    // Logged once, with its cause (in the request's log line); the caller never sees internals.
    reportError(error, "REST handler");
    return { status: 500, body: { error: ErrorMessage.internal } };
  }
  if (answer.status === 503) reportError(error, "REST handler");
  const body: ErrorResponse =
    error instanceof InvalidRequestError && error.issues.length > 0
      ? { error: answer.message, issues: error.issues }
      : { error: answer.message };
  return { status: answer.status, body };
}

/** The answer to an error of a REST route: its status and text from the table, else a logged 500. */
export function answerRestError(reply: FastifyReply, error: unknown): FastifyReply {
  const { status, body } = restErrorOf(error);
  if (status === 503) reply.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return sendJson(reply, status, body);
}

/** The methods a browser or client may try; those a route lacks answer 405 with `Allow`. */
const CLIENT_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Registers the 405 answer for every client method that `url` does not serve (HEAD goes with GET). */
export function refuseOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  app.route({
    method: CLIENT_METHODS.filter((method) => !allowed.includes(method)),
    url,
    handler: (_request, reply) => answerMethodNotAllowed(reply, allowed, url),
  });
}

function answerMethodNotAllowed(reply: FastifyReply, allowed: readonly string[], route: string) {
  noteRoute(route);
  reply.header("Allow", allowed.join(", "));
  return sendJson(reply, 405, { error: ErrorMessage.methodNotAllowed } satisfies ErrorResponse);
}

export function answerNotFound(reply: FastifyReply) {
  return sendJson(reply, 404, { error: ErrorMessage.notFound } satisfies ErrorResponse);
}
