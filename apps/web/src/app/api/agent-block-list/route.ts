import { addBlockedNumbers, listBlockedNumbers, removeBlockedNumbers } from "@blocklist/api";
import { methodsNotAllowed, parseJsonBody, parseQuery, restHandler } from "@blocklist/api/rest";
import { blockListMutationSchema, blockListQuerySchema } from "@blocklist/core";

export const dynamic = "force-dynamic";

export const GET = restHandler(async (request, { db, caller }) =>
  listBlockedNumbers(db, caller, parseQuery(blockListQuerySchema, request)),
);

// The body's numbers are charged against the key's budget once it is parsed, before any work is done.
export const POST = restHandler(async (request, { db, caller, chargeNumbers }) => {
  const body = await parseJsonBody(blockListMutationSchema, request);
  chargeNumbers(body.numbers.length);
  return addBlockedNumbers(db, caller, body);
});

export const DELETE = restHandler(async (request, { db, caller, chargeNumbers }) => {
  const body = await parseJsonBody(blockListMutationSchema, request);
  chargeNumbers(body.numbers.length);
  return removeBlockedNumbers(db, caller, body);
});

export const { PUT, PATCH, OPTIONS } = methodsNotAllowed(["GET", "POST", "DELETE"]);
