// The REST routes: each one reads as parse → one service call → answer. What every route shares (the key and
// its budget before anything is parsed, a JSON body only, errors through the one table) is in restRoute().
import {
  type AdmissionServices,
  type AdmittedCaller,
  API_KEY_HEADER,
  addBlockedNumbers,
  admitCaller,
  type Caller,
  chargeNumbers,
  checkCaller,
  createEntries,
  type EntriesCsv,
  exportEntries,
  importEntries,
  listBlockedNumbers,
  listEntries,
  listHistory,
  listOrganizations,
  removeBlockedNumbers,
  removeEntries,
  streamWholeBlockList,
  UnsupportedMediaTypeError,
  updateEntry,
} from "@blocklist/api";
import { noteOutcome, noteRoute } from "@blocklist/api/observability";
import { parseBody, parseQuery } from "@blocklist/api/rest";
import {
  blockListAdditionSchema,
  blockListCheckQuerySchema,
  blockListMutationSchema,
  blockListQuerySchema,
  ErrorMessage,
  entriesCreateBodySchema,
  entriesImportQuerySchema,
  entriesQuerySchema,
  entriesRemoveBodySchema,
  entriesUpdateBodySchema,
  historyQuerySchema,
} from "@blocklist/core";
import { laggingReadsOf } from "@blocklist/db";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { z } from "zod";
import { isCsvContentType, isJsonContentType, parseJsonText } from "./bodies";
import { acceptsCsv, refuseOtherMethods, sendCsv, sendJson, sendJsonStream } from "./replies";

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** An answer already written as JSON text, in pieces to stream. */
class JsonText {
  constructor(readonly pieces: AsyncIterable<string>) {}
}
/** An answer that is a CSV file. */
class CsvFile {
  constructor(readonly file: EntriesCsv) {}
}
/** What a route's handler gets besides the request: who calls, and a way to charge its body's numbers. */
interface RestCall {
  caller: Caller;
  /** The parsed body's numbers cost one unit per started hundred on top of the admission (429 past the budget). */
  chargeNumbers(count: number): void;
}
type Handle = (request: FastifyRequest, call: RestCall) => Promise<unknown>;

const BODY_METHODS = new Set<Method>(["POST", "PATCH", "DELETE"]);

declare module "fastify" {
  interface FastifyRequest {
    admitted?: AdmittedCaller;
  }
}

function restRoute(
  app: FastifyInstance,
  services: AdmissionServices,
  url: string,
  methods: Partial<Record<Method, Handle>>,
  /** The methods whose body may also be a CSV file (`text/csv`). */
  csvBodies: readonly Method[] = [],
) {
  for (const [method, handle] of Object.entries(methods) as [Method, Handle][]) {
    app.route({
      method,
      url,
      // Before the body is read: the key, its budget, then a JSON (or CSV) Content-Type for a body.
      preParsing: async (request, reply) => {
        noteRoute(url);
        request.admitted = await admitCaller(
          services,
          request.headers[API_KEY_HEADER.toLowerCase()] as string,
          url,
          (name, value) => reply.header(name, value),
        );
        const contentType = request.headers["content-type"];
        const takesCsv = csvBodies.includes(method);
        if (
          BODY_METHODS.has(method) &&
          !isJsonContentType(contentType) &&
          !(takesCsv && isCsvContentType(contentType))
        ) {
          throw new UnsupportedMediaTypeError(
            takesCsv ? ErrorMessage.unsupportedEntriesMediaType : undefined,
          );
        }
      },
      handler: async (request, reply) => {
        const admitted = request.admitted as AdmittedCaller;
        const result = await handle(request, {
          caller: admitted.caller,
          chargeNumbers: (count) => {
            admitted.admission = chargeNumbers(admitted.admission, count, (name, value) =>
              reply.header(name, value),
            );
          },
        });
        if (result instanceof JsonText) return sendJsonStream(reply, result.pieces);
        if (result instanceof CsvFile) return sendCsv(reply, result.file);
        noteOutcome(result);
        return sendJson(reply, 200, result);
      },
    });
  }
  refuseOtherMethods(app, url, Object.keys(methods));
}

/** A body parsed, then what it carries charged against the key's budget, before any work. */
function chargedBody<T>(schema: z.ZodType<T>, items: (body: T) => readonly unknown[]) {
  return (request: FastifyRequest, call: RestCall): T => {
    const body = parseBody(schema, parseJsonText(request.body));
    call.chargeNumbers(items(body).length);
    return body;
  };
}

const numbersBody = chargedBody(blockListMutationSchema, (body) => body.numbers);
const additionBody = chargedBody(blockListAdditionSchema, (body) => body.numbers);
const entriesBody = chargedBody(entriesCreateBodySchema, (body) => body.entries);
const idsBody = chargedBody(entriesRemoveBodySchema, (body) => body.ids);

export function registerRestRoutes(app: FastifyInstance, services: AdmissionServices): void {
  const { db } = services;
  // List pages may lag (a replica's, DATABASE_REPLICA_URL); no route reads them after its own write.
  const reads = laggingReadsOf(db);
  restRoute(app, services, "/api/agent-block-list", {
    GET: async (request, { caller }) => {
      const query = parseQuery(blockListQuerySchema, request.query);
      // Without paging, the whole list streams out: no list is ever held in memory whole.
      if (query.limit === undefined && query.cursor === undefined) {
        return new JsonText(await streamWholeBlockList(db, caller, query, reads));
      }
      return listBlockedNumbers(db, caller, query, reads);
    },
    POST: (request, call) => addBlockedNumbers(db, call.caller, additionBody(request, call), "rest"),
    DELETE: (request, call) => removeBlockedNumbers(db, call.caller, numbersBody(request, call), "rest"),
  });
  restRoute(
    app,
    services,
    "/api/block-list-entries",
    {
      GET: async (request, { caller }) => {
        const query = parseQuery(entriesQuerySchema, request.query);
        // Accept: text/csv is the whole filtered list as a file (no paging), streamed.
        if (acceptsCsv(request.headers.accept)) return new CsvFile(await exportEntries(db, caller, query));
        return listEntries(db, caller, query, reads);
      },
      POST: (request, call) => {
        if (!isCsvContentType(request.headers["content-type"])) {
          return createEntries(db, call.caller, entriesBody(request, call), "rest");
        }
        const list = parseQuery(entriesImportQuerySchema, request.query);
        return importEntries(db, call.caller, list, request.body as string, "rest", {
          chargeRows: call.chargeNumbers,
        });
      },
      PATCH: (request, { caller }) =>
        updateEntry(db, caller, parseBody(entriesUpdateBodySchema, parseJsonText(request.body)), "rest"),
      DELETE: (request, call) => removeEntries(db, call.caller, idsBody(request, call), "rest"),
    },
    ["POST"],
  );
  restRoute(app, services, "/api/block-list-entries/history", {
    GET: (request, { caller }) => listHistory(db, caller, parseQuery(historyQuerySchema, request.query)),
  });
  restRoute(app, services, "/api/block-list-check", {
    GET: (request, { caller }) =>
      checkCaller(db, caller, parseQuery(blockListCheckQuerySchema, request.query)),
  });
  restRoute(app, services, "/api/organizations", {
    GET: (_request, { caller }) => listOrganizations(db, caller),
  });
}
