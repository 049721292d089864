import { methodNotAllowedHandler } from "@blocklist/api/rest";
import { buildOpenApiDocument } from "@blocklist/core/openapi";

// Pure and the same for the life of the process: built once.
const document = buildOpenApiDocument();

export async function GET() {
  return Response.json(document);
}

const notAllowed = methodNotAllowedHandler(["GET"]);
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
export const OPTIONS = notAllowed;
