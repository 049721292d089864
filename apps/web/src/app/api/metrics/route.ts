import { metricsResponse } from "@blocklist/api/observability";
import { methodNotAllowedHandler } from "@blocklist/api/rest";
import { getConfig } from "@blocklist/config";

export const dynamic = "force-dynamic";

// Prometheus text format behind METRICS_TOKEN (Bearer); 404 when no token is configured.
export const GET = (request: Request) => metricsResponse(request, getConfig().metrics.token);

const notAllowed = methodNotAllowedHandler(["GET"]);
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
export const OPTIONS = notAllowed;
