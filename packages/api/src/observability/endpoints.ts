// The answers of GET /api/ready and GET /api/metrics; the route files only export them.
import { createHash, timingSafeEqual } from "node:crypto";
import { ErrorMessage, type ErrorResponse } from "@blocklist/core";
import { renderMetrics, type ServiceMetrics } from "./metrics";
import type { Readiness } from "./readiness";

const NO_STORE = { "Cache-Control": "no-store" };

/** 200 `{ status: "ready", checks }` or 503 `{ status: "unavailable", checks }`; never an error's text. */
export async function readinessResponse(readiness: Readiness, now = Date.now()): Promise<Response> {
  const report = await readiness.check(now);
  return Response.json(report, { status: report.status === "ready" ? 200 : 503, headers: NO_STORE });
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Whether `Authorization` is `Bearer <token>`, compared in constant time. */
export function bearerMatches(authorization: string | null, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? "");
  if (!match?.[1]) return false;
  // Digests have one length, so the comparison time says nothing about the token's length or content.
  return timingSafeEqual(sha256(match[1]), sha256(token));
}

/**
 * The Prometheus scrape. Without a configured token the endpoint does not exist (404, as any unknown path);
 * with one, a request must bring it as a Bearer token (401 otherwise).
 */
export async function metricsResponse(
  metrics: ServiceMetrics,
  authorization: string | null,
  token: string | undefined,
): Promise<Response> {
  if (token === undefined) {
    return Response.json({ error: ErrorMessage.notFound } satisfies ErrorResponse, { status: 404 });
  }
  if (!bearerMatches(authorization, token)) {
    return Response.json({ error: ErrorMessage.invalidMetricsToken } satisfies ErrorResponse, {
      status: 401,
      headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
    });
  }
  const { contentType, body } = await renderMetrics(metrics);
  return new Response(body, { headers: { "Content-Type": contentType, ...NO_STORE } });
}
