import { addBlockedNumbers, listBlockedNumbers, removeBlockedNumbers } from "@blocklist/api";
import { methodsNotAllowed, parseJsonBody, parseQuery, restHandler } from "@blocklist/api/rest";
import { blockListMutationSchema, blockListQuerySchema } from "@blocklist/core";

export const dynamic = "force-dynamic";

export const GET = restHandler(async (request, { db, caller }) =>
  listBlockedNumbers(db, caller, parseQuery(blockListQuerySchema, request)),
);

export const POST = restHandler(async (request, { db, caller }) =>
  addBlockedNumbers(db, caller, await parseJsonBody(blockListMutationSchema, request)),
);

export const DELETE = restHandler(async (request, { db, caller }) =>
  removeBlockedNumbers(db, caller, await parseJsonBody(blockListMutationSchema, request)),
);

export const { PUT, PATCH, OPTIONS } = methodsNotAllowed(["GET", "POST", "DELETE"]);
