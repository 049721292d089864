import { listOrganizations } from "@blocklist/api";
import { methodNotAllowedHandler, restHandler } from "@blocklist/api/rest";

export const dynamic = "force-dynamic";

export const GET = restHandler(async (_request, { db, caller }) => listOrganizations(db, caller));

const notAllowed = methodNotAllowedHandler(["GET"]);
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
export const OPTIONS = notAllowed;
