import { readinessResponse } from "@blocklist/api/observability";
import { methodNotAllowedHandler } from "@blocklist/api/rest";

export const dynamic = "force-dynamic";

// Readiness: the database answers and is migrated (200), or not (503). Liveness is /api/health.
export const GET = () => readinessResponse();

const notAllowed = methodNotAllowedHandler(["GET"]);
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
export const OPTIONS = notAllowed;
