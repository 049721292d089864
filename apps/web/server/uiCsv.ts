// CSV for the web UI (docs/DECISIONS.md, "CSV for the UI"): the same export and import as the REST route, for a
// browser signed in with its session cookie (sessions are not API keys, so the UI never calls the X-Authorization
// routes). The export is a plain download; the import answers NDJSON events as it goes, so that the page's
// progress bar moves while the file is read and stored (the upload's own progress is the browser's XHR).
import { PassThrough } from "node:stream";
import {
  type AdmittedCaller,
  AuthenticationError,
  admitSession,
  type CreateEntriesResponse,
  CrossSiteRequestError,
  type CsvImportProgress,
  chargeNumbers,
  exportEntries,
  importEntries,
  UnsupportedMediaTypeError,
} from "@blocklist/api";
import { noteRoute } from "@blocklist/api/observability";
import { parseQuery } from "@blocklist/api/rest";
import { trpcContextOf } from "@blocklist/api/trpc";
import { type ErrorResponse, entriesImportQuerySchema, entriesQuerySchema } from "@blocklist/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isCsvContentType } from "./bodies";
import { isCrossSiteRequest } from "./crossSite";
import { refuseOtherMethods, restErrorOf, sendCsv } from "./replies";
import type { TrpcServices } from "./trpc";

export const UI_CSV_ROUTE = "/api/ui/entries.csv";
const CSV_ONLY = "Content-Type must be text/csv";

/** One line of the import's answer: progress while it runs, then its result or its error. */
export type UiCsvImportEvent =
  | ({ type: "progress" } & CsvImportProgress)
  | { type: "result"; result: CreateEntriesResponse & { createdLines: number[] } }
  | ({ type: "error"; status: number } & ErrorResponse);

function headerOf(request: FastifyRequest) {
  return (name: string): string | null => {
    const value = request.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  };
}

/** The session cookie's caller, within the budget of the key the session is bound to (401, 429). */
function admitUiCaller(request: FastifyRequest, reply: FastifyReply, services: TrpcServices) {
  const context = trpcContextOf(
    { header: headerOf(request) },
    { set: (name, value) => void reply.header(name, value), append: () => {} },
    services,
    services.webSessions,
  );
  if (context.sessionId === null) throw new AuthenticationError();
  return admitSession(context, context.sessionId, context.sessions, UI_CSV_ROUTE, (name, value) =>
    reply.header(name, value),
  );
}

/** Writes events as NDJSON lines while the answer is open; a browser that went away just stops reading. */
function eventStream(reply: FastifyReply) {
  const lines = new PassThrough();
  // A write after the browser closed the page would otherwise be an unhandled stream error.
  lines.on("error", () => {});
  reply.code(200).header("content-type", "application/x-ndjson").send(lines);
  return {
    send(event: UiCsvImportEvent) {
      if (!lines.destroyed) lines.write(`${JSON.stringify(event)}\n`);
    },
    end: () => lines.end(),
  };
}

export function registerUiCsvRoutes(app: FastifyInstance, services: TrpcServices): void {
  const { db } = services;
  app.route({
    method: "GET",
    url: UI_CSV_ROUTE,
    handler: async (request, reply) => {
      noteRoute(UI_CSV_ROUTE);
      const { caller } = await admitUiCaller(request, reply, services);
      // The caller is its own user, as on tRPC; the filters are entries.list's.
      const query = parseQuery(entriesQuerySchema, { ...(request.query as object), uid: caller.userId });
      return sendCsv(reply, await exportEntries(db, caller, query));
    },
  });
  app.route({
    method: "POST",
    url: UI_CSV_ROUTE,
    // Before the body is read: from this site only (CSRF), the session and its budget, a CSV file.
    preParsing: async (request, reply) => {
      noteRoute(UI_CSV_ROUTE);
      if (isCrossSiteRequest(headerOf(request))) throw new CrossSiteRequestError();
      request.admitted = await admitUiCaller(request, reply, services);
      if (!isCsvContentType(request.headers["content-type"])) throw new UnsupportedMediaTypeError(CSV_ONLY);
    },
    handler: async (request, reply) => {
      const admitted = request.admitted as AdmittedCaller;
      const list = parseQuery(entriesImportQuerySchema, {
        ...(request.query as object),
        uid: admitted.caller.userId,
      });
      const events = eventStream(reply);
      let createdLines: number[] = [];
      try {
        const result = await importEntries(db, admitted.caller, list, String(request.body ?? ""), "ui", {
          chargeRows: (count) => {
            admitted.admission = chargeNumbers(admitted.admission, count, () => {});
          },
          onProgress: (progress) => events.send({ type: "progress", ...progress }),
          onCreatedLines: (lines) => {
            createdLines = lines;
          },
        });
        events.send({ type: "result", result: { ...result, createdLines } });
      } catch (error) {
        const { status, body } = restErrorOf(error);
        events.send({ type: "error", status, ...body });
      }
      events.end();
      return reply;
    },
  });
  refuseOtherMethods(app, UI_CSV_ROUTE, ["GET", "POST"]);
}
