import { readinessResponse } from "@blocklist/api/observability";
import { methodsNotAllowed } from "@blocklist/api/rest";

export const dynamic = "force-dynamic";

// Readiness: the database answers and is migrated (200), or not (503). Liveness is /api/health.
export const GET = () => readinessResponse();

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed(["GET"]);
