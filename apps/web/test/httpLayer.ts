import type { AddressInfo } from "node:net";
import { createLogger, createMetrics, Readiness } from "@blocklist/api/observability/server";
import { DEFAULT_WEB_SESSIONS } from "@blocklist/api/trpc";
import type { PrismaClient } from "@blocklist/db";
import { afterAll } from "vitest";
import { buildHttpServer, type HttpServerOptions } from "../server/app";

/**
 * For a test file, awaited at its top level: the HTTP layer alone (no Next.js, no rate limit) on `db`, listening
 * on a free port of 127.0.0.1 and closed after the file's tests. `options` replace the quiet defaults.
 */
export async function httpLayerForFile(
  db: PrismaClient,
  options: Partial<Pick<HttpServerOptions, "observe" | "pages">> = {},
): Promise<{ baseUrl: string; metrics: HttpServerOptions["metrics"] }> {
  const metrics = createMetrics({ db });
  const app = buildHttpServer({
    db,
    rateLimiter: undefined,
    metrics,
    readiness: new Readiness({ db }),
    metricsToken: undefined,
    webSessions: DEFAULT_WEB_SESSIONS,
    observe: options.observe ?? { logger: createLogger({ level: "silent", format: "json" }) },
    ...(options.pages ? { pages: options.pages } : {}),
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  afterAll(() => app.close());
  return { baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, metrics };
}
