import { methodsNotAllowed } from "@blocklist/api/rest";
import { buildOpenApiDocument } from "@blocklist/core/openapi";

// Pure and the same for the life of the process: built once.
const document = buildOpenApiDocument();

export async function GET() {
  return Response.json(document);
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed(["GET"]);
