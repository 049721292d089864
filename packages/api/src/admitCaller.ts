// Step 1 of the check order, for REST and tRPC alike: who is calling (401), then whether the key's budget has
// room (429), before the request is parsed; and, once a body is parsed, the rest of its cost (rateLimit/).
import { numbersUnits } from "@blocklist/core";
import type { PrismaClient } from "@blocklist/db";
import { authenticateApiKey, type Caller } from "./auth";
import { RateLimitedError } from "./errors";
import { noteApiKey, noteSessionKey } from "./observability/context";
import { type Admission, admit, charge } from "./rateLimit/admission";
import type { RateLimiter } from "./rateLimit/limiter";
import { authenticateSession, type SessionSettings } from "./sessions";

/** The header a server-to-server caller sends its API key in. */
export const API_KEY_HEADER = "X-Authorization";

/** Puts a header on the answer; RateLimit-* go on every answer to a limited key, before anything can fail. */
export type SetHeader = (name: string, value: string) => void;

/** What admission needs: the database, and the rate limiter when requests are limited. */
export interface AdmissionServices {
  db: PrismaClient;
  rateLimiter: RateLimiter | undefined;
}

export interface AdmittedCaller {
  caller: Caller;
  /** The request's admission unit, which chargeNumbers() adds to once the body is parsed. */
  admission: Admission;
}

/** An API key (401), then its budget (429, counted under the bounded label `route`). */
export async function admitCaller(
  { db, rateLimiter }: AdmissionServices,
  presentedKey: string | null | undefined,
  route: string,
  setHeader: SetHeader,
): Promise<AdmittedCaller> {
  noteApiKey(presentedKey);
  const caller = await authenticateApiKey(db, presentedKey);
  noteApiKey(presentedKey, caller.keyId);
  return withinBudget(rateLimiter, caller, route, setHeader);
}

/** The same for a web UI request: its session (401), then the budget of the key the session is bound to. */
export async function admitSession(
  { db, rateLimiter }: AdmissionServices,
  sessionId: string,
  lifetimes: SessionSettings,
  route: string,
  setHeader: SetHeader,
): Promise<AdmittedCaller> {
  const { keyPrefix, ...caller } = await authenticateSession(db, sessionId, lifetimes);
  noteSessionKey(caller.keyId, keyPrefix);
  return withinBudget(rateLimiter, caller, route, setHeader);
}

/**
 * Once a body is parsed: its `count` numbers cost one unit per started hundred on top of the admission. Past what
 * is left, 429 without doing the work. Returns the admission that now stands.
 */
export function chargeNumbers(admission: Admission, count: number, setHeader: SetHeader): Admission {
  return answered(charge(admission, numbersUnits(count)), setHeader);
}

function withinBudget(
  rateLimiter: RateLimiter | undefined,
  caller: Caller,
  route: string,
  setHeader: SetHeader,
): AdmittedCaller {
  return { caller, admission: answered(admit(rateLimiter, caller, route), setHeader) };
}

function answered(admission: Admission, setHeader: SetHeader): Admission {
  for (const [name, value] of Object.entries(admission.headers)) setHeader(name, value);
  if (admission.refused) throw new RateLimitedError();
  return admission;
}
