import { metricsResponse } from "@blocklist/api/observability";
import { methodsNotAllowed } from "@blocklist/api/rest";
import { getConfig } from "@blocklist/config";

export const dynamic = "force-dynamic";

// Prometheus text format behind METRICS_TOKEN (Bearer); 404 when no token is configured.
export const GET = (request: Request) => metricsResponse(request, getConfig().metrics.token);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed(["GET"]);
