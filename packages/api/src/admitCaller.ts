import type { PrismaClient } from "@blocklist/db";
import { authenticateApiKey, type Caller } from "./auth";
import { RateLimitedError } from "./errors";
import { noteApiKey } from "./observability/context";
import { admitRequest } from "./rateLimit/process";

/** The header a server-to-server caller sends its API key in. */
export const API_KEY_HEADER = "X-Authorization";

/**
 * Step 1 of the check order, before the request is even parsed, for REST and tRPC alike: the key (401), then
 * its budget (429, counted under the bounded label `route`). Every answer to a known key carries the
 * RateLimit-* headers, handed to `setHeader` before anything can fail.
 */
export async function admitCaller(
  db: PrismaClient,
  presentedKey: string | null | undefined,
  route: string,
  setHeader: (name: string, value: string) => void,
): Promise<Caller> {
  noteApiKey(presentedKey);
  const caller = await authenticateApiKey(db, presentedKey);
  noteApiKey(presentedKey, caller.keyId);
  const admission = admitRequest(caller.keyId, route);
  for (const [name, value] of Object.entries(admission.headers)) setHeader(name, value);
  if (admission.refused) throw new RateLimitedError();
  return caller;
}
