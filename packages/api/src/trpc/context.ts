import { getPrismaClient, type PrismaClient } from "@blocklist/db";
import type { Admission } from "../rateLimit/admission";
import { API_KEY_HEADER } from "../rest/handler";
import { readSessionCookie } from "./session";

/** What every procedure sees. Built once per request; procedures never read headers themselves. */
export interface TrpcContext {
  db: PrismaClient;
  /** The X-Authorization key of a server-to-server caller. */
  apiKey: string | null;
  /** The key kept in the web UI's session cookie. */
  sessionKey: string | null;
  /** Headers added to the answer (the session cookie). */
  resHeaders: Headers;
  /** Whether the request came over HTTPS, so that the cookie gets `Secure`. */
  secure: boolean;
  /**
   * Only on the check path (node.ts), which may run one call twice (a fast attempt, then tRPC's adapter for its
   * error answer): the rate-limit decision of the first attempt, reused by the second so the call counts once.
   */
  rateLimitDecision?: { admission?: Admission };
}

export function createTrpcContext(
  { req, resHeaders }: { req: Request; resHeaders: Headers },
  db: PrismaClient = getPrismaClient(),
  rateLimitDecision?: TrpcContext["rateLimitDecision"],
): TrpcContext {
  return trpcContextOf(
    { header: (name) => req.headers.get(name), protocol: new URL(req.url).protocol },
    resHeaders,
    db,
    rateLimitDecision,
  );
}

/** What a request looks like to the context, whichever server received it. */
export interface RequestHead {
  /** A header's value, or null (names in any case). */
  header(name: string): string | null;
  /** The URL scheme the request arrived on, `http:` or `https:`. */
  protocol: string;
}

/** The context rules, shared by the Next route and the check path in front of it (node.ts). */
export function trpcContextOf(
  request: RequestHead,
  resHeaders: Headers,
  db: PrismaClient,
  rateLimitDecision?: TrpcContext["rateLimitDecision"],
): TrpcContext {
  const forwardedProto = request.header("x-forwarded-proto")?.split(",")[0]?.trim();
  return {
    ...(rateLimitDecision ? { rateLimitDecision } : {}),
    db,
    apiKey: request.header(API_KEY_HEADER),
    sessionKey: readSessionCookie(request.header("cookie")),
    resHeaders,
    secure: (forwardedProto ?? request.protocol.replace(":", "")) === "https",
  };
}
