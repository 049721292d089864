import { listOrganizations } from "@blocklist/api";
import { methodsNotAllowed, restHandler } from "@blocklist/api/rest";

export const dynamic = "force-dynamic";

export const GET = restHandler(async (_request, { db, caller }) => listOrganizations(db, caller));

export const { POST, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed(["GET"]);
