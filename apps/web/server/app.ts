// The one HTTP layer: every /api/* route, REST and tRPC, is listed here; every other path is a page of the
// Next.js app. Each request gets an id, one log line and its metrics (observe.ts), the security headers, and,
// under /api, `Cache-Control: no-store`.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, InvalidRequestError } from "@blocklist/api";
import {
  metricsResponse,
  type Readiness,
  readinessResponse,
  reportError,
  type ServiceMetrics,
} from "@blocklist/api/observability";
import { REQUEST_ID_HEADER, requestIdOf } from "@blocklist/api/observability/server";
import type { RateLimiter } from "@blocklist/api/rateLimit";
import type { WebSessionOptions } from "@blocklist/api/trpc";
import { ErrorMessage } from "@blocklist/core";
import { buildOpenApiDocument } from "@blocklist/core/openapi";
import type { PrismaClient } from "@blocklist/db";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { readBodiesAsText } from "./bodies";
import { answerClientError } from "./clientErrors";
import { type ObserveOptions, observeRequests } from "./observe";
import { answerNotFound, answerRestError, refuseOtherMethods, sendJson } from "./replies";
import { registerRestRoutes } from "./rest";
import { securityHeadersFor } from "./securityHeaders";
import { answerTrpc, handleTrpc, screenTrpcRequest, TRPC_ROUTE, type TrpcServices } from "./trpc";
import { registerUiCsvRoutes } from "./uiCsv";

export type PageHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Everything the layer serves with, built once by the server at start (server.ts) or by a test. */
export interface HttpServerOptions {
  db: PrismaClient;
  /** The per-key budget; none: nothing is limited. */
  rateLimiter: RateLimiter | undefined;
  metrics: ServiceMetrics;
  readiness: Readiness;
  metricsToken: string | undefined;
  /** Lifetimes of web UI sessions, and what decides their cookie's `Secure`. */
  webSessions: WebSessionOptions;
  observe: ObserveOptions;
  /** Next.js's request handler; without it (tests of the API alone) pages answer 404. */
  pages?: PageHandler;
}

const TRPC_METHODS = new Set(["GET", "HEAD", "POST"]);
// A batch path names up to MAX_BATCH_SIZE procedures; longer ones must reach tRPC to be refused in its words.
const MAX_PATH_PARAM_LENGTH = 4096;

/** Fastify's own refusals, in the service's words. */
function asDomainError(error: FastifyError): unknown {
  if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new BodyTooLargeError();
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new InvalidRequestError(
      error.code === "FST_ERR_CTP_INVALID_CONTENT_LENGTH"
        ? "Invalid Content-Length"
        : ErrorMessage.malformedRequest,
    );
  }
  return error;
}

/** A page handler that threw: 500 JSON when nothing was sent yet, else the connection is cut. */
function answerPageCrash(response: ServerResponse, error: unknown): void {
  reportError(error, "page handler");
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.statusCode = 500;
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify({ error: ErrorMessage.internal }));
}

export function buildHttpServer(options: HttpServerOptions): FastifyInstance {
  const { db, rateLimiter } = options;
  const trpcServices: TrpcServices = { db, rateLimiter, webSessions: options.webSessions };
  const app = Fastify({
    // One line per request is written by observe.ts, with the service's own fields.
    logger: false,
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request.headers[REQUEST_ID_HEADER.toLowerCase()]),
    clientErrorHandler: answerClientError,
    return503OnClosing: false,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  });
  readBodiesAsText(app);
  observeRequests(app, options.observe, options.metrics);
  app.addHook("onRequest", (request, reply, done) => {
    const path = request.url.split("?", 1)[0] ?? "/";
    for (const [name, value] of Object.entries(securityHeadersFor(path))) reply.raw.setHeader(name, value);
    if (path.startsWith("/api/")) reply.raw.setHeader("Cache-Control", "no-store");
    done();
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const domainError = asDomainError(error);
    if (request.routeOptions.url === TRPC_ROUTE && TRPC_METHODS.has(request.method)) {
      return answerTrpc(request as Parameters<typeof answerTrpc>[0], reply, trpcServices, domainError);
    }
    return answerRestError(reply, domainError);
  });

  registerRestRoutes(app, { db, rateLimiter });
  registerUiCsvRoutes(app, trpcServices);

  app.route({
    method: [...TRPC_METHODS],
    url: TRPC_ROUTE,
    exposeHeadRoute: false,
    preParsing: async (request) => screenTrpcRequest(request),
    handler: (request, reply) => handleTrpc(request as Parameters<typeof handleTrpc>[0], reply, trpcServices),
  });
  refuseOtherMethods(app, TRPC_ROUTE, ["GET", "POST"]);

  // Liveness only: answers without touching the database.
  app.get("/api/health", (_request, reply) => sendJson(reply, 200, { status: "ok" }));
  // Readiness: the database answers and is migrated (200), or not (503).
  app.get("/api/ready", async (_request, reply) => reply.send(await readinessResponse(options.readiness)));
  // Prometheus text format behind METRICS_TOKEN (Bearer); 404 when no token is configured.
  app.get("/api/metrics", async (request, reply) =>
    reply.send(
      await metricsResponse(options.metrics, request.headers.authorization ?? null, options.metricsToken),
    ),
  );
  // Pure and the same for the life of the process: built once.
  const openApiDocument = buildOpenApiDocument();
  app.get("/api/openapi.json", (_request, reply) => sendJson(reply, 200, openApiDocument));
  for (const url of ["/api/health", "/api/ready", "/api/metrics", "/api/openapi.json"]) {
    refuseOtherMethods(app, url, ["GET"]);
  }
  // Unknown paths under /api answer JSON too, like every other API answer.
  app.all("/api/*", (_request, reply) => answerNotFound(reply));

  app.register(async (pagesScope) => {
    // Next.js reads a page request's body itself, if it wants one.
    pagesScope.removeAllContentTypeParsers();
    pagesScope.addContentTypeParser("*", (_request, _payload, done) => done(null));
    pagesScope.all("/*", async (request, reply) => {
      if (!options.pages) return answerNotFound(reply);
      reply.hijack();
      try {
        await options.pages(request.raw, reply.raw);
      } catch (error) {
        answerPageCrash(reply.raw, error);
      }
    });
  });
  return app;
}
